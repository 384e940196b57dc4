"""Entry point: `streamlit run app.py`. A thin router; the pages live in pages/.

Streamlit finds `app = st.App(...)` below and serves it (with uvicorn) together with the
app's own routes (`ipoverseas.ui.server`: the session cookie). Each browser session then runs
this same file as its script, which only calls the shell.
"""

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

if get_script_run_ctx(suppress_warning=True) is not None:  # running as the page script
    from ipoverseas.ui.shell import main
    from pages import REGISTRY

    main(REGISTRY)
else:  # imported by the server: the ASGI app
    from ipoverseas.ui import server

    app = st.App(__file__, routes=server.routes())
