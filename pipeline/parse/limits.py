"""Size caps pdfminer checks before it decodes a stream or reads an inline image.

pdfminer has no hooks for this, so two of its methods are wrapped (once per process): a stream whose
declared ``/Length`` (or, for an image, ``/Width`` x ``/Height`` x components) exceeds the cap fails
the document before a byte is inflated, and an inline image whose dictionary declares too many bytes
fails before pdfminer scans for its end marker one byte at a time (16 MB of inline image took 89 s).
Its Flate decoding is given a bounded ``decompress`` too: a Flate bomb declares a small length, and
pdfminer, when zlib runs out of memory, silently keeps an empty stream (the bomb then passed as a
good document); bounded, it fails at the cap, and running out of memory is a ``MemoryError``.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from typing import Any

from pdfminer import pdftypes
from pdfminer.pdfinterp import PDFContentParser
from pdfminer.pdftypes import PDFStream, resolve1
from pdfminer.psparser import PSKeyword, PSLiteral, literal_name

from pipeline.core.errors import ResourceLimitExceeded

_cap = {"bytes": 0}
"""The cap in force in this process (0: not installed yet)."""

_COMPONENTS = {"DeviceGray": 1, "G": 1, "CalGray": 1, "Indexed": 1, "I": 1, "DeviceRGB": 3, "RGB": 3,
               "CalRGB": 3, "Lab": 3, "DeviceCMYK": 4, "CMYK": 4}


def install_stream_caps(max_bytes: int, *, keep: bool = False) -> None:
    """Refuse, from now on in this process, streams and images declaring more than ``max_bytes``
    (``keep``: unless a cap is in force already, as a parse worker's own)."""
    first = _cap["bytes"] == 0
    if keep and not first:
        return
    _cap["bytes"] = max_bytes
    if not first:
        return
    decode: Callable[[PDFStream], None] = PDFStream.decode
    do_keyword: Callable[[PDFContentParser, int, PSKeyword], None] = PDFContentParser.do_keyword

    def checked_decode(stream: PDFStream) -> None:
        if stream.data is None:  # not decoded yet
            declared = max(_as_int(stream.attrs.get("Length")), len(stream.rawdata or b""), image_bytes(stream.attrs))
            _refuse_over_cap("a stream", declared)
        decode(stream)

    def checked_do_keyword(parser: PDFContentParser, pos: int, token: PSKeyword) -> None:
        if token is PDFContentParser.KEYWORD_ID:
            objs = [obj for _, obj in parser.curstack]
            names = objs[0::2]
            values = objs[1::2]
            attrs = {literal_name(k): v for k, v in zip(names, values, strict=False) if isinstance(k, PSLiteral)}
            _refuse_over_cap("an inline image", image_bytes(attrs))
        do_keyword(parser, pos, token)

    setattr(PDFStream, "decode", checked_decode)  # noqa: B010 (a method replaced on the class)
    setattr(pdftypes, "zlib", _BoundedZlib)  # noqa: B010 (what pdftypes calls zlib)
    setattr(PDFContentParser, "do_keyword", checked_do_keyword)  # noqa: B010


class _BoundedZlib:
    """The part of ``zlib`` pdfminer's stream decoding uses, with ``decompress`` stopping at the cap."""

    error = zlib.error
    decompressobj = staticmethod(zlib.decompressobj)

    @staticmethod
    def decompress(data: bytes) -> bytes:
        inflater = zlib.decompressobj()
        try:
            out = inflater.decompress(data, _cap["bytes"] + 1)
        except zlib.error as exc:
            if "insufficient memory" in str(exc):
                raise MemoryError(str(exc)) from None
            raise
        if len(out) > _cap["bytes"]:
            raise ResourceLimitExceeded(f"a Flate stream inflates to more than the cap of {_cap['bytes']:,} bytes "
                                        "(UNPIPE_PARSE_MAX_STREAM_BYTES)")
        return out + inflater.flush()


def image_bytes(attrs: Mapping[str, Any]) -> int:
    """Bytes an image's dictionary declares (full or abbreviated inline keys); 0 for anything else."""
    width = _as_int(attrs.get("Width", attrs.get("W")))
    height = _as_int(attrs.get("Height", attrs.get("H")))
    if not width or not height:
        return 0
    mask = resolve1(attrs.get("ImageMask", attrs.get("IM")))
    bits = 1 if mask is True else _as_int(attrs.get("BitsPerComponent", attrs.get("BPC"))) or 8
    space = resolve1(attrs.get("ColorSpace", attrs.get("CS")))
    if isinstance(space, list) and space:
        space = resolve1(space[0])
    components = 1 if mask is True else _COMPONENTS.get(literal_name(space) if isinstance(space, PSLiteral) else "", 1)
    return width * height * components * bits // 8


def _refuse_over_cap(what: str, declared: int) -> None:
    if declared > _cap["bytes"]:
        raise ResourceLimitExceeded(
            f"{what} declares {declared:,} bytes, over the cap of {_cap['bytes']:,} (UNPIPE_PARSE_MAX_STREAM_BYTES)"
        )


def _as_int(value: Any) -> int:
    value = resolve1(value)
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0 else 0
