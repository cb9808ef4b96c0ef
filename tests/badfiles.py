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


# --- Hostile inputs (issue 13), built byte by byte: each is a valid PDF that attacks the parser ----------


def write_pdf(path: Path, contents: list[bytes], *, flate: bool = False, mediabox: bool = True) -> Path:
    """A PDF with one page per content stream (Helvetica as /F1). ``flate``: the streams are given
    already Flate-compressed. ``mediabox=False`` leaves the pages, and their parent, without /MediaBox."""
    box = b"/MediaBox [0 0 612 792] " if mediabox else b""
    count = len(contents)
    kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, content in enumerate(contents):
        objects.append(b"<< /Type /Page /Parent 2 0 R " + box
                       + b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i))
        head = b"<< /Length %d%s >>" % (len(content), b" /Filter /FlateDecode" if flate else b"")
        objects.append(head + b"\nstream\n" + content + b"\nendstream")
    with path.open("wb") as fh:
        fh.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(fh.tell())
            fh.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
        xref = fh.tell()
        fh.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
        fh.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
        fh.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return path


def _text(line: str) -> bytes:
    return b"BT /F1 12 Tf 72 720 Td (" + line.encode("latin-1") + b") Tj ET\n"


def flate_bomb(path: Path, inflated_bytes: int) -> Path:
    """One page whose content stream is small on disk and inflates to ``inflated_bytes`` of blanks."""
    import zlib

    packer = zlib.compressobj(9)
    chunk = b" " * (16 << 20)
    parts = [packer.compress(_text("A page that inflates without end."))]
    left = inflated_bytes
    while left > 0:
        parts.append(packer.compress(chunk[: min(left, len(chunk))]))
        left -= len(chunk)
    parts.append(packer.flush())
    return write_pdf(path, [b"".join(parts)], flate=True)


def huge_inline_image(path: Path, width: int, height: int, data_bytes: int | None = None) -> Path:
    """One page of text with an RGB inline image declaring ``width`` x ``height`` pixels, followed by
    ``data_bytes`` of image data (default: as many as it declares)."""
    size = width * height * 3 if data_bytes is None else data_bytes
    image = (b"q 400 0 0 400 100 100 cm\nBI /W %d /H %d /BPC 8 /CS /RGB ID " % (width, height)
             + b"\x7f" * size + b"\nEI\nQ\n")
    return write_pdf(path, [_text("A page with a large inline image.") + image])


def page_without_mediabox(path: Path) -> Path:
    """Two pages of text, neither with a /MediaBox (nor a parent that gives one)."""
    return write_pdf(path, [_text("First page without a media box."), _text("Second page.")], mediabox=False)


def many_chars_page(path: Path, chars: int) -> Path:
    """One page holding ``chars`` characters (single-character show operations across the page)."""
    import zlib

    rows = []
    per_row = 100
    for row in range(chars // per_row):
        y = 780 - (row % 190) * 4
        rows.append(b"BT /F1 4 Tf %d %d Td (" % (10 + (row // 190) % 5, y) + b"x" * per_row + b") Tj ET")
    return write_pdf(path, [zlib.compress(b"\n".join(rows))], flate=True)
