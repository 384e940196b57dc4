"""What every wing stands on: `config` (the one settings registry), `db` (engine, sessions, the
revision counter, migrations), `models`, `vocab` (the one vocabulary: codes, zh/en labels, aliases),
`i18n` with `locales/`, `errors` (the one family of refusals), `markdown` (the one escaper and the
safe renderer), `search` (the full-text index), `geo` (the offline world map) and logging."""
