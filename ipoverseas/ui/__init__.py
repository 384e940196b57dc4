"""Small Streamlit helpers shared by pages: the only part of the package that imports Streamlit."""
