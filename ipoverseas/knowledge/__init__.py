"""The overseas IP risk knowledge base: `articles` (country guides, laws and procedures, risk
alerts: browse, facets, map, editing with versions) and `deadlines` (the legal response deadlines of
each forum, from data/response_clock.csv)."""
