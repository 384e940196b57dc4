"""One module per page. Each defines PAGE (a PageSpec) and render(); nothing runs at import."""
