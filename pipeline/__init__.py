"""unpipe: parse UN oversight documents, extract recommendations and status, store them in SQL."""

__version__ = "0.1.0"
