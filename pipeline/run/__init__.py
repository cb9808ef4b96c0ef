"""Running the stages (discover, fetch, parse, extract, load) and re-extraction: one ingest path."""
