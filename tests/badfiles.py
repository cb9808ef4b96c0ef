"""Bad inputs made from real corpus files: each is what a download or a user's folder can really hold."""

from __future__ import annotations

import io
from pathlib import Path

from tests.corpus import corpus_pdf

GOOD = "A_77_256_Add.1.pdf"


def make_bad_files(folder: Path) -> dict[str, Path]:
    """One file per kind of bad input, keyed by the failure reason the parser must give."""
    from PIL import Image
    from pypdf import PdfReader, PdfWriter

    folder.mkdir(parents=True, exist_ok=True)
    good = corpus_pdf(GOOD).read_bytes()
    files = {
        "empty_file": folder / "empty.pdf",
        "not_pdf": folder / "error_page.pdf",
        "corrupt_pdf": folder / "truncated.pdf",
        "encrypted_pdf": folder / "encrypted.pdf",
        "image_only": folder / "image_only.pdf",
    }
    files["empty_file"].write_bytes(b"")
    files["not_pdf"].write_bytes(
        b"<!DOCTYPE html><html><head><title>Official Document System</title></head>"
        b"<body>The document you requested is not available.</body></html>"
    )
    files["corrupt_pdf"].write_bytes(good[: len(good) // 2])
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(good)))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    with files["encrypted_pdf"].open("wb") as fh:
        writer.write(fh)
    Image.new("RGB", (850, 1100), "white").save(files["image_only"], "PDF", resolution=100.0)
    return files
