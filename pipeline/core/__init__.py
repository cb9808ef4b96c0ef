"""The floor: document model, text, numbers, errors and settings (imports nothing else of ours)."""
