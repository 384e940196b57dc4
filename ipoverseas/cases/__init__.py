"""The library of foreign-dispute cases: `library` (filter, count, page, one case), `facets`, `search`
is in core, `similar`, `review` (the national centre's review and selection), `rollups` (totals kept
by triggers), `analytics` and `export`."""
