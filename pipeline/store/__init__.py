"""The SQL store: engine and migrations, loading records, derived counts, the search index."""
