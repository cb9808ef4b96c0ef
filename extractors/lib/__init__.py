"""Helpers the extractors share: records, symbols, deadlines, cues, spaCy pipelines, vocabulary."""
