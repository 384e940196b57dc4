"""ipoverseas: the overseas IP dispute guidance centre's shared database and app.

The package is the domain: it never imports Streamlit, except `ipoverseas.ui`.
"""

__version__ = "0.1.0"
