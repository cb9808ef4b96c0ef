"""The six official UN languages and the names documents and sites print for them (one home for both)."""

UN_LANGUAGES = ("ar", "en", "es", "fr", "ru", "zh")
"""ISO 639-1 codes, in the UN's alphabetical order."""

LANGUAGE_NAMES = {
    "arabic": "ar",
    "عربي": "ar",
    "العربية": "ar",
    "english": "en",
    "anglais": "en",
    "英文": "en",
    "spanish": "es",
    "español": "es",
    "french": "fr",
    "français": "fr",
    "russian": "ru",
    "русский": "ru",
    "chinese": "zh",
    "中文": "zh",
}
"""A language's name as printed (lower case) → its code: Digital Library file labels, JIU site links,
a document's masthead language line."""
