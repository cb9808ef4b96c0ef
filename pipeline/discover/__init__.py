"""Discovery: sources that say which documents exist, without downloading them."""
