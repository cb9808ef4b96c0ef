"""Parsing: PDF pages to lines with roles, paragraphs and tables (plain data with coordinates)."""
