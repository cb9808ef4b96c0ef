"""Reading the store: analyst queries, full-text search, export and the Datasette browser."""
