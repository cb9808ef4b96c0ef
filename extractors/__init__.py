"""Extractors: registered units that turn a parsed document into typed records."""
