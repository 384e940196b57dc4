"""The audit trail: `trail` writes append-only events (the ORM and the database refuse changes);
`query` searches them, exports them and assembles a record's history with its before-images."""
