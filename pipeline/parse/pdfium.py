"""Characters, rules, rectangles and images of a PDF read with pdfium, shaped like pdfplumber's objects.

Why this exists: the parser spent ~77% of its time in pdfminer, interpreting page content and
turning layout objects into pdfplumber dicts. pdfium (shipped with pdfplumber as ``pypdfium2``) reads
the same content in C: over the bench, reading a page this way costs 0.11x pdfplumber's CPU time. This
module asks pdfium for the few facts the parser's layout code consumes and rebuilds them *with
pdfminer's geometry*, so that the layout code (``pdf.py``, ``layout.py``, ``table_finder.py``,
``pdfplumber.utils.text``) sees the same numbers and makes the same decisions.

What is reproduced, and how (each point measured against pdfplumber over the corpus and bench):

* Coordinates: pdfplumber's frame, i.e. pdfminer's rotated page space (``/Rotate`` applied through
  pdfminer's own page CTM, *mediabox* not cropbox) flipped to a top-left origin, with ``top``/``bottom``
  measured from the top of the page and ``doctop`` adding the heights of the earlier pages.
* Character boxes: pdfminer does not use glyph outlines; its box runs from the origin to the
  advance width horizontally, and from ``descent`` (the font descriptor's ``/Descent``) to
  ``descent + font size`` vertically, all mapped through the character's matrix. pdfium's "loose"
  box is ascent-based and its tight box is outline-based, so neither matches; instead the box is
  rebuilt here from pdfium's origin, matrix, font size and glyph width, and the descent the font's
  dictionary declares (read as pdfminer reads it: pdfium replaces a declared 0 by a measured one).
  ``size`` is the height of that box, as pdfminer defines it (so a rotated character's size is its
  advance, as in pdfplumber).
* Text: pdfium splits a character code whose ``/ToUnicode`` entry has several code points (ligatures
  "ﬁ" → "fi") into several characters at one origin; pdfminer keeps one char with text "fi". They are
  joined again. Spaces and line breaks pdfium invents (``FPDFText_IsGenerated``) are dropped.
* Graphics: pdfminer's classification of painted paths (one straight segment → ``line``; a closed
  axis-aligned four-sided path → ``rect``; anything else → ``curve``; a path with several subpaths
  painted as several objects) is replayed on pdfium's path segments, inside Form XObjects too.
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.fontmetrics import FONT_METRICS as _FONT_METRICS
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFStream, resolve1
from pdfminer.psparser import PSLiteral
from pdfplumber.page import Page

__all__ = ["PageData", "PdfiumSource", "as_plumber_page"]

Matrix = tuple[float, float, float, float, float, float]
Obj = dict[str, Any]

_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_SUBPATH = re.compile(r"m[^m]+")
_SUBSET_PREFIX = re.compile(r"^[A-Z]{6}\+")


@dataclass
class PageData:
    """One page as plain data, in pdfplumber's coordinate frame.

    ``chars``/``lines``/``rects``/``curves``/``images`` hold dicts with the keys pdfplumber gives its
    objects of the same ``object_type`` (the ones the parser and pdfplumber's text and table code
    read), so pdfplumber's own algorithms run on them unchanged.
    """

    page_number: int
    """1-based, like ``pdfplumber.Page.page_number``."""
    width: float
    height: float
    rotation: int
    initial_doctop: float
    mediabox: tuple[float, float, float, float]
    """pdfplumber's ``Page.mediabox`` (= ``Page.bbox``): (0, 0, width, height) unless the mediabox does
    not start at the origin, where pdfplumber shifts it (its issue #1181)."""
    rtl: bool = False
    """The page has right-to-left script (Arabic, Hebrew). pdfium rewrites such text (presentation
    forms → base letters, mirrored brackets, logical order) where pdfminer keeps the PDF's code
    points: the char text differs (UDHR_note_ar: 0.39 similar), so read these pages with pdfplumber."""
    chars: list[Obj] = field(default_factory=list)
    lines: list[Obj] = field(default_factory=list)
    rects: list[Obj] = field(default_factory=list)
    curves: list[Obj] = field(default_factory=list)
    images: list[Obj] = field(default_factory=list)

    @property
    def objects(self) -> dict[str, list[Obj]]:
        """Same layout as ``pdfplumber.Page.objects`` (kinds with no object are left out)."""
        kinds = {"char": self.chars, "line": self.lines, "rect": self.rects, "curve": self.curves,
                 "image": self.images}
        return {kind: objs for kind, objs in kinds.items() if objs}


class _PageFrame:
    """Maps pdfium's user space (unrotated, raw mediabox) to pdfplumber's frame.

    pdfminer applies ``/Rotate`` with a page CTM built from the raw mediabox (``process_page``), and
    pdfplumber then flips y with the *normalised* mediabox, adding the mediabox's lower-left corner
    back (pdfplumber issue #1181). The two steps are folded into one affine map here.
    """

    def __init__(self, mediabox: Sequence[float], rotation: int) -> None:
        x0, y0, x1, y1 = (float(v) for v in mediabox)
        if rotation == 90:
            ctm: Matrix = (0, -1, 1, 0, -y0, x1)
        elif rotation == 180:
            ctm = (-1, 0, 0, -1, x1, y1)
        elif rotation == 270:
            ctm = (0, 1, -1, 0, y1, -x0)
        else:
            ctm = (1, 0, 0, 1, -x0, -y0)
        nx0, nx1 = sorted((x0, x1))
        ny0, ny1 = sorted((y0, y1))
        if rotation in (90, 270):
            nx0, ny0, nx1, ny1 = ny0, nx0, ny1, nx1
        self.width = nx1 - nx0
        self.height = ny1 - ny0
        self.mediabox = (nx0, -ny0, nx1, ny1 - 2 * ny0)  # pdfplumber's _invert_box of the normalised box
        self.ctm = ctm
        self.dx = nx0  # pdfplumber adds mediabox x0 back
        self.top_shift = -ny0  # and mediabox "top" (−y0 after its inversion)

    def to_miner(self, x: float, y: float) -> tuple[float, float]:
        a, b, c, d, e, f = self.ctm
        return a * x + c * y + e, b * x + d * y + f


def _mult(m1: Matrix, m0: Matrix) -> Matrix:
    """``m1`` then ``m0`` (pdfminer's ``mult_matrix`` order)."""
    a1, b1, c1, d1, e1, f1 = m1
    a0, b0, c0, d0, e0, f0 = m0
    return (
        a0 * a1 + c0 * b1,
        b0 * a1 + d0 * b1,
        a0 * c1 + c0 * d1,
        b0 * c1 + d0 * d1,
        a0 * e1 + c0 * f1 + e0,
        b0 * e1 + d0 * f1 + f0,
    )


@dataclass
class _Font:
    name: str
    descent: float  # per unit of font size, negative (pdfminer forces it so)
    widths: dict[str, float]  # text → advance per unit of font size
    afm: bool = False
    """pdfminer measures this font with its built-in AFM metrics: a char missing from them is 0 wide."""


def _fn(func: Any, restype: Any, *argtypes: Any) -> Any:
    """A second ctypes prototype for a pdfium function, taking plain addresses (ints).

    pypdfium2's bindings type handles as ``POINTER`` structs: every call converts and checks them,
    and a returned handle is a pointer object whose address costs a ``ctypes.cast`` to read. The
    hot loop calls pdfium ~2 times per character, so it calls through these instead."""
    address = ctypes.cast(func, ctypes.c_void_p).value
    if not address:
        raise RuntimeError("pdfium function not loaded")
    return ctypes.CFUNCTYPE(restype, *argtypes)(address)


_VP, _INT, _DP, _FP = ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p


class _Pdfium:
    """pdfium entry points used per character, bound once."""

    def __init__(self) -> None:
        c = pdfium_c
        self.get_object = _fn(c.FPDFText_GetTextObject, _VP, _VP, _INT)
        self.get_origin = _fn(c.FPDFText_GetCharOrigin, _INT, _VP, _INT, _DP, _DP)
        self.is_generated = _fn(c.FPDFText_IsGenerated, _INT, _VP, _INT)
        self.get_size = _fn(c.FPDFText_GetFontSize, ctypes.c_double, _VP, _INT)
        self.get_font = _fn(c.FPDFTextObj_GetFont, _VP, _VP)
        self.glyph_width = _fn(c.FPDFFont_GetGlyphWidth, _INT, _VP, ctypes.c_uint, ctypes.c_float, _FP)
        self._get_matrix = _fn(c.FPDFText_GetMatrix, _INT, _VP, _INT, _VP)
        self._font_name = _fn(c.FPDFFont_GetBaseFontName, ctypes.c_size_t, _VP, ctypes.c_char_p, ctypes.c_size_t)
        self._descent = _fn(c.FPDFFont_GetDescent, _INT, _VP, ctypes.c_float, _FP)
        self._embedded = _fn(c.FPDFFont_GetIsEmbedded, _INT, _VP)
        self._char_box = _fn(c.FPDFText_GetCharBox, _INT, _VP, _INT, _DP, _DP, _DP, _DP)

    def has_ink(self, tp: int, index: int) -> bool:
        """The character's tight (glyph outline) box is not empty."""
        box = (ctypes.c_double * 4)()
        base, step = ctypes.addressof(box), ctypes.sizeof(ctypes.c_double)
        if not self._char_box(tp, index, base, base + step, base + 2 * step, base + 3 * step):
            return True
        left, right, bottom, top = box
        return right - left > 0.01 and top - bottom > 0.01

    def is_embedded(self, font: int) -> bool:
        return bool(font) and self._embedded(font) == 1

    def matrix(self, tp: int, index: int) -> tuple[float, float, float, float]:
        m = pdfium_c.FS_MATRIX()
        if not self._get_matrix(tp, index, ctypes.addressof(m)):
            return (1.0, 0.0, 0.0, 1.0)
        return (m.a, m.b, m.c, m.d)

    def font_name(self, font: int) -> str:
        """The font's /BaseFont as pdfminer reports it (subset prefix kept: "ABCDEF+Arial-BoldMT")."""
        if not font:
            return "unknown"
        buf = ctypes.create_string_buffer(512)
        n = self._font_name(font, buf, 512)
        return (buf.value.decode("utf-8", "replace") if n else "") or "unknown"  # pdfminer's default

    def descent(self, font: int) -> float:
        """Descent per unit of font size, negative, as pdfminer's ``get_descent`` (forced negative)."""
        out = ctypes.c_float(0.0)
        if not font or not self._descent(font, 1000.0, ctypes.addressof(out)):
            return 0.0
        return -abs(out.value) / 1000.0


_FN = _Pdfium()
_NO_FONT = _Font(name="unknown", descent=0.0, widths={})
# pdfium's own inserted characters (word spaces, line breaks) are only ever these.
_MAYBE_GENERATED = frozenset(" \r\n\x02\ufffe")
_HYPHEN_MARK = frozenset("\x02\ufffe")
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def _page_text(tp: Any, count: int) -> str | list[str]:
    """All characters' text in one call; one string per character index.

    ``FPDFText_GetText`` returns UTF-16: a character beyond the BMP takes two code units, which would
    shift every later index, so such pages fall back to one ``FPDFText_GetUnicode`` per character."""
    buf = (ctypes.c_ushort * (count + 1))()
    n = pdfium_c.FPDFText_GetText(tp, 0, count, buf)
    raw = bytes(memoryview(buf).cast("B"))[: max(0, n - 1) * 2]
    text = raw.decode("utf-16-le", "surrogatepass")
    if len(text) == count and not any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        return text
    return [chr(pdfium_c.FPDFText_GetUnicode(tp, i)) for i in range(count)]


@dataclass(frozen=True)
class _Declared:
    """A font as its dictionary declares it, which is what pdfminer measures with."""

    basefont: str
    descent: float  # per unit of font size, negative or 0
    simple: bool
    """Type1 or TrueType: pdfminer prefers its AFM metrics for such a /BaseFont (Type0 and Type3 never)."""


def _literal(value: object) -> str:
    value = resolve1(value)
    if isinstance(value, PSLiteral):
        return str(value.name)
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value) if isinstance(value, str) else ""


class _FontDictionaries:
    """Each page's fonts as their dictionaries declare them (/BaseFont, /Subtype, the descriptor's
    /Descent), read with pdfminer's object parser; no page content is interpreted.

    Why: pdfminer takes a font's descent from its descriptor's /Descent as written, 0 included.
    pdfium, where /Ascent and /Descent are both 0 (LibreOffice writes them so), measures the glyphs
    "A" and "g" or the /FontBBox instead (NotoSerifCJKjp: −0.077 em, UMingCN: +0.074 em), so every
    box of such a font sat up to 3.6 pt off pdfminer's: masthead lines sorted in another order, and
    A/63/359's agenda item number fell onto a line of its own. pdfium's API gives no access to the font
    dictionary, hence this reader. A PDF whose page tree pdfminer cannot read gets pdfium's values."""

    def __init__(self, path: str | Path) -> None:
        self._path = path
        self._file: Any = None
        self._pages: list[PDFPage] | None = None

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def page(self, index: int, page_count: int) -> dict[str, _Declared]:
        """Page ``index``'s fonts (and its forms' fonts) by /BaseFont without the subset prefix."""
        if self._pages is None:
            self._pages = []
            try:
                self._file = open(self._path, "rb")  # noqa: SIM115 (kept open while pages are read)
                pages = list(PDFPage.create_pages(PDFDocument(PDFParser(self._file))))
            except Exception:  # pdfium reads this PDF; pdfminer's opinion of its fonts is then unknown
                pages = []
            if len(pages) == page_count:
                self._pages = pages
        if index >= len(self._pages):
            return {}
        table: dict[str, _Declared] = {}
        try:
            _collect_fonts(self._pages[index].resources, table, set())
        except Exception:  # a broken font or form dictionary: pdfium's values for this page
            return {}
        return table


def _type3_descent(spec: dict[str, Any], descriptor: object) -> float:
    """pdfminer's Type 3 descent: the bottom of the /FontBBox (the descriptor's, else the font's), scaled
    by the /FontMatrix's vertical norm, its sign kept (pdfminer does not force it negative here)."""
    source = descriptor if isinstance(descriptor, dict) and "FontBBox" in descriptor else spec
    bbox = resolve1(source.get("FontBBox"))
    matrix = resolve1(spec.get("FontMatrix"))
    try:
        bottom = float(resolve1(bbox[1]))
        b, d = float(resolve1(matrix[1])), float(resolve1(matrix[3]))
    except (TypeError, IndexError, ValueError):
        return 0.0
    return bottom * (b + d)


def _collect_fonts(resources: object, table: dict[str, _Declared], seen: set[int]) -> None:
    resources = resolve1(resources)
    if not isinstance(resources, dict):
        return
    fonts = resolve1(resources.get("Font"))
    for spec in (resolve1(v) for v in fonts.values()) if isinstance(fonts, dict) else ():
        if not isinstance(spec, dict):
            continue
        subtype = _literal(spec.get("Subtype")) or "Type1"
        names = {_literal(spec.get("BaseFont")) or "unknown"}
        if subtype == "Type0":
            descendants = resolve1(spec.get("DescendantFonts"))
            spec = resolve1(descendants[0]) if isinstance(descendants, list) and descendants else {}
            if not isinstance(spec, dict):
                continue
            names.add(_literal(spec.get("BaseFont")) or "unknown")
        descriptor = resolve1(spec.get("FontDescriptor"))
        if subtype == "Type3":
            declared = _Declared(basefont="unknown", descent=_type3_descent(spec, descriptor), simple=False)
        else:
            descent = resolve1(descriptor.get("Descent", 0)) if isinstance(descriptor, dict) else 0
            declared = _Declared(
                basefont=_literal(spec.get("BaseFont")) or "unknown",
                descent=-abs(float(descent)) / 1000.0 if isinstance(descent, (int, float)) else 0.0,
                simple=subtype in ("Type1", "MMType1", "TrueType"),
            )
        for name in names:
            table.setdefault(_SUBSET_PREFIX.sub("", name), declared)
    xobjects = resolve1(resources.get("XObject"))
    for ref in xobjects.values() if isinstance(xobjects, dict) else ():
        key = getattr(ref, "objid", None)
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        xobject = resolve1(ref)
        if isinstance(xobject, PDFStream) and _literal(xobject.get("Subtype")) == "Form":
            _collect_fonts(xobject.get("Resources"), table, seen)


class PdfiumSource:
    """An open PDF read page by page. Use as a context manager; pages are closed after reading.

    Opening raises ``pypdfium2.PdfiumError`` (its ``err_code`` says password or format); the parser
    maps it to its own errors."""

    def __init__(self, path: str | Path) -> None:
        self.doc = pdfium.PdfDocument(str(path))
        self._fonts: dict[int, _Font] = {}
        self._dictionaries = _FontDictionaries(path)
        self._page_fonts: dict[str, _Declared] = {}

    def __enter__(self) -> PdfiumSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.doc.close()
        self._dictionaries.close()

    def __len__(self) -> int:
        return len(self.doc)

    def metadata(self) -> dict[str, str]:
        """The document information dictionary (Producer, Creator, ...), as ``pdfplumber.PDF.metadata``."""
        return dict(self.doc.get_metadata_dict())

    def read_page(self, index: int, initial_doctop: float = 0.0) -> PageData:
        """Page ``index`` (0-based); ``initial_doctop`` is the sum of the earlier pages' heights."""
        page = self.doc[index]
        try:
            rotation = page.get_rotation() % 360
            frame = _PageFrame(page.get_mediabox(), rotation)
            data = PageData(index + 1, frame.width, frame.height, rotation, initial_doctop, frame.mediabox)
            self._page_fonts = self._dictionaries.page(index, len(self.doc))
            textpage = page.get_textpage()
            try:
                data.chars = self._chars(textpage.raw, frame, data)
            finally:
                textpage.close()
            self._graphics(page.raw, frame, data)
            return data
        finally:
            page.close()

    # ------------------------------------------------------------------------------------------
    # Characters
    # ------------------------------------------------------------------------------------------

    def _font(self, textobj: int) -> tuple[_Font, int]:
        """Name, descent and advance widths of a text object's font, cached per pdfium font."""
        font = _FN.get_font(textobj) or 0
        cached = self._fonts.get(font)
        if cached is None:
            name = _FN.font_name(font)
            declared = self._page_fonts.get(_SUBSET_PREFIX.sub("", name))
            if declared is not None:
                name = declared.basefont
                metrics = _FONT_METRICS.get(name) if declared.simple else None
            else:
                metrics = _FONT_METRICS.get(name) if not _FN.is_embedded(font) else None
            if metrics is not None:
                # pdfminer looks the /BaseFont up in its standard-14 AFM table (with the Arial,
                # TimesNewRoman, CourierNew aliases) before any font descriptor, and takes name,
                # descent and widths from there; pdfium measures its substitute font instead (its
                # Times descent is −0.249 em against the AFM's −0.217: boxes 0.3–0.7 pt lower).
                descriptor, widths = metrics
                descent = float(descriptor.get("Descent", 0.0))  # type: ignore[arg-type]
                cached = _Font(name=str(descriptor.get("FontName", name)), descent=-abs(descent) / 1000.0,
                               widths={k: v / 1000.0 for k, v in widths.items() if isinstance(k, str)}, afm=True)
            else:
                descent = declared.descent if declared is not None else _FN.descent(font)
                cached = _Font(name=name, descent=descent, widths={})
            self._fonts[font] = cached
        return cached, font

    def _chars(self, tp: Any, frame: _PageFrame, data: PageData) -> list[Obj]:
        """The page's characters. Hot loop: two pdfium calls per character (text object, origin);
        the text comes in one call for the page, and matrix, size and font once per text object."""
        count = pdfium_c.FPDFText_CountChars(tp)
        if count <= 0:
            return []
        texts = _page_text(tp, count)
        data.rtl = _RTL.search(texts if isinstance(texts, str) else "".join(texts)) is not None
        tpa = ctypes.cast(tp, ctypes.c_void_p).value or 0
        get_object, get_origin = _FN.get_object, _FN.get_origin
        is_generated, glyph_width = _FN.is_generated, _FN.glyph_width
        ox, oy = ctypes.c_double(), ctypes.c_double()
        pox, poy = ctypes.byref(ox), ctypes.byref(oy)
        width_out = ctypes.c_float()
        pwidth = ctypes.byref(width_out)
        ca, cb, cc, cd, ce, cf = frame.ctm
        dx, top_shift, height = frame.dx, frame.top_shift, frame.height
        ybase = height + top_shift
        doctop_shift = data.initial_doctop
        page_number = data.page_number
        chars: list[Obj] = []
        previous: Obj | None = None
        prev_x = prev_y = float("nan")
        run_obj: int | None = None
        # Per-run constants (set when the text object changes).
        font = _NO_FONT
        font_ptr: int | None = None
        size = la = lb = 0.0
        umin = umax = vmin = vmax = 0.0
        fontname = ""
        widths: dict[str, float] = {}
        matrix4: tuple[float, float, float, float] = (1.0, 0.0, 0.0, 1.0)
        upright = True
        for i in range(count):
            text = texts[i]
            obj = get_object(tpa, i)
            if not obj or (text in _MAYBE_GENERATED and is_generated(tpa, i)):
                continue
            if text in _HYPHEN_MARK:
                # pdfium replaces the character that ends a hyphenated line by a marker (GetUnicode
                # 0x02, GetText U+FFFE). Mostly it is the printed "-"; but when the line ends in
                # "- " (OCR text layers, A_C.4_SR.985_fr) the marker lands on the space, and
                # pdfminer reports " " there. A space leaves no ink: its tight box is empty.
                text = "-" if _FN.has_ink(tpa, i) else " "
            get_origin(tpa, i, pox, poy)
            x, y = ox.value, oy.value
            if obj == run_obj:
                if x == prev_x and y == prev_y and previous is not None:
                    # One character code with several code points (a ligature's ToUnicode "fi"):
                    # pdfium emits one char per code point at one origin, pdfminer one char, as
                    # wide as the ligature glyph. pdfium gives no width for that glyph (a width is
                    # looked up by code point, which finds "f"), so the char is widened by each
                    # further component's width: with "f" alone a word gap opened inside
                    # "Offi cial"; the components' sum overshoots by a fraction of an em at most.
                    previous["text"] += text
                    extra = widths.get(text)
                    if extra is None:
                        ok = glyph_width(font_ptr, ord(text[0]), 1.0, pwidth) if text and not font.afm else 0
                        extra = width_out.value if ok else 0.0
                        widths[text] = extra
                    _widen(previous, la * extra * size, lb * extra * size)
                    continue
            else:
                run_obj = obj
                font, font_ptr = self._font(obj)
                fontname, widths = font.name, font.widths
                size = _FN.get_size(tpa, i)
                m = _FN.matrix(tpa, i)
                # Linear part of (char matrix · page CTM): text space → pdfminer space.
                la, lb = m[0] * ca + m[1] * cc, m[0] * cb + m[1] * cd
                lc, ld = m[2] * ca + m[3] * cc, m[2] * cb + m[3] * cd
                lo = font.descent * size
                hi = lo + size
                # Offsets of the box's bottom/top edge corners from the origin, split into the part
                # that does not depend on the advance (min/max of sums = sum of min/max).
                umin, umax = min(lc * lo, lc * hi), max(lc * lo, lc * hi)
                vmin, vmax = min(ld * lo, ld * hi), max(ld * lo, ld * hi)
                matrix4 = (la, lb, lc, ld)
                upright = la * ld > 0 and lb * lc <= 0
            prev_x, prev_y = x, y
            adv = widths.get(text)
            if adv is None:
                ok = glyph_width(font_ptr, ord(text[0]), 1.0, pwidth) if text and not font.afm else 0
                adv = width_out.value if ok else 0.0
                widths[text] = adv
            w = adv * size
            uw, vw = la * w, lb * w
            u = ca * x + cc * y + ce
            v = cb * x + cd * y + cf
            if uw >= 0:
                x0, x1 = u + umin + dx, u + umax + uw + dx
            else:
                x0, x1 = u + umin + uw + dx, u + umax + dx
            if vw >= 0:
                y0, y1 = v + vmin, v + vmax + vw
            else:
                y0, y1 = v + vmin + vw, v + vmax
            top = ybase - y1
            char: Obj = {
                "object_type": "char",
                "page_number": page_number,
                "text": text,
                "fontname": fontname,
                "size": y1 - y0,
                "adv": w,
                "upright": upright,
                "matrix": (*matrix4, u, v),
                "x0": x0,
                "x1": x1,
                "y0": y0,
                "y1": y1,
                "top": top,
                "bottom": ybase - y0,
                "doctop": doctop_shift + top,
                "width": x1 - x0,
                "height": y1 - y0,
            }
            chars.append(char)
            previous = char
        return chars

    # ------------------------------------------------------------------------------------------
    # Paths and images
    # ------------------------------------------------------------------------------------------

    def _graphics(self, page: Any, frame: _PageFrame, data: PageData) -> None:
        count = pdfium_c.FPDFPage_CountObjects(page)
        objs = (pdfium_c.FPDFPage_GetObject(page, i) for i in range(count))
        self._walk(objs, _IDENTITY, frame, data)

    def _walk(self, objs: Iterator[Any], parent: Matrix, frame: _PageFrame, data: PageData) -> None:
        mat = pdfium_c.FS_MATRIX()
        for obj in objs:
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind not in (pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_FORM):
                continue
            pdfium_c.FPDFPageObj_GetMatrix(obj, ctypes.byref(mat))
            own = _mult((mat.a, mat.b, mat.c, mat.d, mat.e, mat.f), parent)
            if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
                n = pdfium_c.FPDFFormObj_CountObjects(obj)
                self._walk((pdfium_c.FPDFFormObj_GetObject(obj, i) for i in range(n)), own, frame, data)
            elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                pts = [_apply(own, px, py) for px, py in ((0, 0), (1, 0), (0, 1), (1, 1))]
                data.images.append(self._boxed("image", pts, frame, data))
            else:
                self._path(obj, own, frame, data)

    def _path(self, obj: Any, matrix: Matrix, frame: _PageFrame, data: PageData) -> None:
        fillmode, stroke_flag = ctypes.c_int(), ctypes.c_int()
        if not pdfium_c.FPDFPath_GetDrawMode(obj, ctypes.byref(fillmode), ctypes.byref(stroke_flag)):
            return
        stroke, fill = bool(stroke_flag.value), fillmode.value != 0
        if not stroke and not fill:
            return  # a clipping path ("n"): pdfminer paints nothing either
        width = ctypes.c_float()
        pdfium_c.FPDFPageObj_GetStrokeWidth(obj, ctypes.byref(width))
        linewidth = width.value
        px, py = ctypes.c_float(), ctypes.c_float()
        shape: list[str] = []
        points: list[tuple[float, float]] = []
        bezier = 0
        start: tuple[float, float] | None = None
        for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
            seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
            pdfium_c.FPDFPathSegment_GetPoint(seg, ctypes.byref(px), ctypes.byref(py))
            kind = pdfium_c.FPDFPathSegment_GetType(seg)
            pt = _apply(matrix, px.value, py.value)
            if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
                shape.append("m")
                points.append(pt)
                start = pt
                bezier = 0
            elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
                shape.append("l")
                points.append(pt)
                bezier = 0
            else:  # a Bézier curve is three segments in pdfium, one "c" (its end point) in pdfminer
                bezier += 1
                if bezier == 3:
                    shape.append("c")
                    points.append(pt)
                    bezier = 0
            if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None:
                shape.append("h")
                points.append(start)
        text = "".join(shape)
        for match in _SUBPATH.finditer(text):
            self._subpath(match.group(), points[match.start():match.end()], stroke, fill, linewidth,
                          frame, data)

    def _subpath(self, shape: str, pts: list[tuple[float, float]], stroke: bool, fill: bool,
                 linewidth: float, frame: _PageFrame, data: PageData) -> None:
        """pdfminer's ``paint_path`` classification of one subpath (points already in user space)."""
        pts = [frame.to_miner(x, y) for x, y in pts]
        if shape == "mllllh" and pts[4] == pts[0]:
            # pdfium stores an ``re`` rectangle as m-l-l-l-l(back to start)+close; pdfminer as
            # m-l-l-l-h. Undo pdfium's extra point first, so that pdfminer's rule below sees what it
            # saw: a zero-height ``re`` (a hairline) then loses another point and is a curve.
            shape, pts = "mlllh", [*pts[:4], pts[5]]
        if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
            shape = shape[:-2] + "h"
            pts.pop(-2)
        extra = {"stroke": stroke, "fill": fill, "linewidth": linewidth}
        if shape in ("mlh", "ml"):
            data.lines.append(self._boxed("line", pts[:2], frame, data, miner=True, **extra))
            return
        if shape in ("mlllh", "mllll"):
            (x0, y0), (x1, y1), (x2, y2), (x3, y3), last = pts[:5]
            closed = pts[0] == last
            square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (
                y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
            if closed and square:
                data.rects.append(self._boxed("rect", pts[:4], frame, data, miner=True, **extra))
                return
        data.curves.append(self._boxed("curve", pts, frame, data, miner=True, **extra))

    def _boxed(self, kind: str, pts: list[tuple[float, float]], frame: _PageFrame, data: PageData,
               miner: bool = False, **extra: Any) -> Obj:
        """A pdfplumber-shaped object for points in user space (or pdfminer space with ``miner``)."""
        if not miner:
            pts = [frame.to_miner(x, y) for x, y in pts]
        us = [p[0] for p in pts]
        vs = [p[1] for p in pts]
        x0, x1 = min(us) + frame.dx, max(us) + frame.dx
        y0, y1 = min(vs), max(vs)
        top = frame.height - y1 + frame.top_shift
        bottom = frame.height - y0 + frame.top_shift
        obj: Obj = {
            "object_type": kind,
            "page_number": data.page_number,
            "x0": x0,
            "x1": x1,
            "y0": y0,
            "y1": y1,
            "top": top,
            "bottom": bottom,
            "doctop": data.initial_doctop + top,
            "width": x1 - x0,
            "height": y1 - y0,
        }
        if kind != "image":
            obj["pts"] = [(u + frame.dx, frame.height - v + frame.top_shift) for u, v in pts]
        obj.update(extra)
        return obj


def _widen(char: Obj, du: float, dv: float) -> None:
    """Grow a char's box along its baseline by (du, dv) in pdfminer space (keeping pdfplumber's keys
    consistent: x1/x0, y0/y1, top/bottom/doctop, width/height, size, adv)."""
    if du >= 0:
        char["x1"] += du
    else:
        char["x0"] += du
    if dv >= 0:
        char["y1"] += dv
        char["top"] -= dv
        char["doctop"] -= dv
    else:
        char["y0"] += dv
        char["bottom"] -= dv
    char["width"] = char["x1"] - char["x0"]
    char["height"] = char["size"] = char["y1"] - char["y0"]
    char["adv"] += (du * du + dv * dv) ** 0.5


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


class _PdfiumPage(Page):
    """A ``pdfplumber.Page`` whose objects are given instead of parsed: pdfplumber's own text and table
    algorithms run unchanged on pdfium's data and nothing reaches pdfminer. What needs the PDF itself
    (``to_image``, ``annots``, ``hyperlinks``) is not available."""

    def __init__(self, page: PageData) -> None:
        self.pdf = None  # type: ignore[assignment]
        self.root_page = self
        self.page_obj = None  # type: ignore[assignment]
        self.page_number = page.page_number
        self.initial_doctop = page.initial_doctop
        self.rotation = page.rotation
        self.mediabox = self.cropbox = self.bbox = page.mediabox
        self._objects = page.objects
        self.get_textmap = lru_cache()(self._get_textmap)

    def close(self) -> None:
        self.get_textmap.cache_clear()


def as_plumber_page(data: PageData) -> Page:
    """A ``pdfplumber.Page`` over ``data``, for code written against pdfplumber pages (``filter``,
    ``extract_text_lines``, ``find_tables``, ``chars``/``lines``/``rects``/``images``/``edges``)."""
    return _PdfiumPage(data)
