"""Entry point: `streamlit run app.py`. A thin router; the pages live in pages/."""

from ipoverseas.ui.shell import main

main()
