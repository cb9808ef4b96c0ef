"""Fetching: downloads with rate limits and retries, and the content-addressed file store."""
