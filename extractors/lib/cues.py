"""Classify who a recommendation addresses and what position a response takes, in English and Chinese.

Both functions are pure and regex-based on an NFKC, whitespace-collapsed copy of the text, so
every extractor (JIU reports, Secretary-General notes, status reports) classifies the same words
the same way.

* Addressee is the grammatical subject: the words before the first directive verb ("should",
  "应", "recommends"), after dropping an opening adverbial ("By the end of 2026, …", "2023 年，…",
  "为了履行其监督作用和责任，…"). A body named later in the sentence ("… should request the
  executive heads …") does not count. An ACABQ paragraph ("The Advisory Committee recommends …",
  "行预咨委会建议 …") is addressed to the General Assembly, which is the body the Committee advises.
  Text with no subject at all ("Requests the Secretary-General to …", "To take note of …") gives
  ``None``: the caller knows from the document which body acts.
* Position is the first stance cue in the response; the negated and partial forms are matched
  as whole phrases and win ties, so "部分支持" and "不支持" never read as "支持".
"""

from __future__ import annotations

import re
import unicodedata

from extractors.lib.records import Addressee, Position

__all__ = ["classify_addressee", "classify_position"]


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[\u00ad\u200b\u200c\u200d\ufeff]", "", text)
    text = re.sub(r"[‐‑‒–—―]", "-", text)
    return re.sub(r"\s+", " ", text).strip()


# --------------------------------------------------------------------------------------------
# Addressee
# --------------------------------------------------------------------------------------------

_I = re.IGNORECASE

_ADDRESSEES: dict[str, Addressee] = {
    "executive_heads": "executive_heads",
    "legislative_bodies": "legislative_bodies",
    "general_assembly": "general_assembly",
    "secretary_general": "secretary_general",
    "member_states": "member_states",
    "acabq": "general_assembly",  # the Advisory Committee recommends to the General Assembly
}
_ADDRESSEE_CUES: list[tuple[str, re.Pattern[str]]] = [
    (
        "acabq",
        re.compile(
            r"(?<!Audit )(?<!Oversight )\bAdvisory\s+Committee\b|\bACABQ\b|行预咨委会"
            r"|行政和预算问题咨询委员会|^(?:the\s+)?Committee\b(?=.*\brecommends?\b)",
            _I,
        ),
    ),
    (
        "executive_heads",
        re.compile(
            r"\bexecutive\s+heads?\b|\bexecutive\s+directors?\b|\bdirectors?-?\s*general\b|\badministrator\b"
            # "the heads of the United Nations system organizations": not "heads of department" or "of entities",
            # which in a Secretariat text are the Secretary-General's own managers.
            r"|\bheads?\s+of\s+(?:the\s+|all\s+|each\s+)?(?:(?:JIU\s+)?participating\s+|United\s+Nations\s+system\s+"
            r"|UN\s+system\s+)?(?:organizations?|agencies)\b"
            r"|\bhigh\s+commissioner\b|\bSecretary-?\s*General\s+of\s+(?!the\s+United\s+Nations\b)(?=[A-Z])"
            r"|行政首长(?!协调理事会)|执行主任|总干事|署长|高级专员|各(?:参与)?组织(?:的)?(?:负责人|首长)",
            _I,
        ),
    ),
    (
        "legislative_bodies",
        re.compile(
            r"\blegislative\s*(?:organs?|bodies|body|and\s+governing|/\s*governing)|\bgoverning\s+(?:bodies|body|organs?"
            r"|boards?|councils?)\b|\bexecutive\s+boards?\b|\bboards?\s+of\s+governors\b|\bconference\s+of\s+the\s+parties\b"
            r"|立法|理事机构|执行局|治理机构|(?:环境|卫生)大会|缔约方大会",
            _I,
        ),
    ),
    # "World Health Assembly", "United Nations Environment Assembly": an organization's governing assembly.
    ("legislative_bodies", re.compile(r"\b(?!General\b)[A-Z][a-z]+\s+Assembly\b")),
    (
        "general_assembly",
        re.compile(
            r"\bGeneral\s+Assembly\b|\bthe\s+Assembly\b|(?<!环境)(?<!卫生)(?<!缔约方)大会(?!主席)", _I
        ),
    ),
    (
        "secretary_general",
        re.compile(
            r"(?<![-\w])(?<!Deputy )(?<!Assistant )\bSecretary-?\s*General\b"
            r"|(?<![副理])秘书长",
            _I,
        ),
    ),
    ("member_states", re.compile(r"\bMember\s+States\b|会员国|成员国", _I)),
]

# Where the subject ends. Chinese "应" is excluded inside compounds (相应, 应对, 供应 …).
_VERB = re.compile(
    r"\b(?:should|shall|must|may\s+wish\s+to|(?:is|are)\s+(?:requested|invited|encouraged|urged|called\s+upon)"
    r"|recommends?|requests?|invites?|urges?|encourages?|decides?|needs?\s+to|will)\b"
    r"|应当|应该|(?<![相供适响回反对效呼答照报])应(?![对用急付邀收享缴])|必须|(?<![必无所])[须需](?!求)|宜|不妨"
    r"|(?<![项条该此的])建议(?!\s*\d)|(?<![申邀提聘])请|要求|促请|敦促|鼓励|决定",
    _I,
)
# Opening adverbials and labels to drop before looking for the subject.
_OPENER = re.compile(
    r"^(?:(?:recommendation|建议)\s*\d+\s*[:：.]?\s*|\(?[a-z0-9]{1,3}[.)]\s+"
    r"|(?:at|by|in|on|for|before|within|during|taking|bearing|subject|with|given|following|further|pursuant|as"
    r"|to|having|noting|recalling|based|consistent|upon|through|where|when|if|once|while|recognizing"
    r"|considering|building|starting|from|under|after|no\s+later)\b[^,]{0,200},\s*"
    r"|(?:为了?|在|根据|按照|依照|鉴于|考虑到|基于|通过|于|到|自|从|随着|针对|关于|如果|若|截至|至迟|不迟于|不晚于"
    r"|\d{4}\s*年|[〇零一二三四五六七八九]{4}\s*年)[^，,。]{0,80}[，,]\s*)",
    _I,
)
_RECOMMENDER = re.compile(
    r"\b(?:the\s+)?(?:inspectors?|joint\s+inspection\s+unit|JIU|board(?:\s+of\s+auditors)?)\b"
    r"|联检组|检查专员|审计委员会",
    _I,
)
_RECOMMENDS_THAT = re.compile(r"\brecommends?\s+(?:that\s+)?|建议", _I)
_ACABQ_RECOMMENDS = re.compile(
    r"(?<!Audit )(?<!Oversight )\b(?:Advisory\s+Committee|ACABQ|the\s+Committee)\b[^.;]{0,200}?"
    r"\b(?:recommends|reiterates\s+its\s+recommendation)\b"
    r"|(?:行预咨委会|行政和预算问题咨询委员会)[^。；]{0,100}?建议",
    _I,
)
_HAS_WORD = re.compile(r"[A-Za-z]{2,}|[\u4e00-\u9fff]{2,}")


def _subject_span(text: str) -> tuple[str, re.Match[str] | None]:
    """The words before the first directive verb, opening adverbials removed."""
    while True:
        m = _OPENER.match(text)
        if not m or m.end() == 0:
            break
        text = text[m.end() :]
    verb = _VERB.search(text)
    if verb:
        return text[: verb.start()], verb
    clause = re.split(r"[,，;；:：。.]", text, maxsplit=1)[0]
    return clause[:160], None


def _earliest(span: str) -> str | None:
    best: tuple[int, str] | None = None
    for label, pattern in _ADDRESSEE_CUES:
        m = pattern.search(span)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), label)
    return best[1] if best else None


def classify_addressee(text: str) -> Addressee | None:
    """Who must act on a recommendation, read from its grammatical subject; ``None`` if it has none."""
    norm = _normalise(text)
    if not norm:
        return None
    if _ACABQ_RECOMMENDS.search(norm):
        # An ACABQ paragraph opens with facts ("The proposed resources amount to …"); what it
        # recommends, it recommends to the General Assembly.
        return "general_assembly"
    span, verb = _subject_span(norm)
    label = _earliest(span)
    if label is None and verb is not None and _RECOMMENDER.search(span):
        that = _RECOMMENDS_THAT.match(norm, verb.start())
        if that:
            # "The Inspectors recommend that participating organizations …": the addressee follows "that".
            span, _ = _subject_span(norm[that.end() :])
            label = _earliest(span)
            if label is None:
                return "other" if _HAS_WORD.search(span) else None
    if label is not None:
        return _ADDRESSEES[label]
    if verb is not None and _HAS_WORD.search(span):
        return "other"
    return None


# --------------------------------------------------------------------------------------------
# Position
# --------------------------------------------------------------------------------------------

_REC = r"(?:(?:this|the|that|these)\s+)?recommendations?(?:\s+\d+)?"
_POSITION_CUES: list[tuple[Position, re.Pattern[str]]] = [
    # Partial and negated forms first: on a tie at the same start they win.
    (
        "partially_supported",
        re.compile(
            rf"\b(?:partially|partly|in\s+part)\s+(?:support|accept|agree|endorse)\w*"
            rf"|\bpartial\s+(?:support|acceptance)\b"
            rf"|\b(?:support|accept|agree\s+with|endorse)\w*\s+(?:{_REC}|it)\s+(?:only\s+)?(?:in\s+part|partially|partly)\b"
            rf"|\b(?:do|does|did|can|could)\s*(?:not|n't)\s+fully\s+(?:support|accept|agree)\w*"
            r"|部分(?:地)?(?:支持|接受|同意|赞同|赞成)|不完全(?:支持|接受|同意|赞同)|有保留地(?:支持|接受)",
            _I,
        ),
    ),
    (
        "not_supported",
        re.compile(
            r"\b(?:do|does|did|could|would|will)\s*(?:not|n't)\s+(?:support|accept|agree\s+with|endorse)\w*"
            r"|\b(?:cannot|can\s+not|can't|unable\s+to)\s+(?:support|accept|agree\s+with|endorse)\w*"
            r"|\bnot\s+(?:supported|accepted|endorsed)\b|\breject(?:s|ed)?\b|\bdisagree(?:s|d)?\s+with\b"
            r"|(?:不|未|无法|不能|不予|未予|没有)(?:予以)?(?:支持|接受|同意|赞同|赞成)|反对|拒绝",
            _I,
        ),
    ),
    (
        "noted",
        re.compile(
            rf"\btak(?:e|es|ing|en)\s+note\b|\btook\s+note\b"
            rf"|\bnot(?:e|es|ed|ing)\s+that\s+{_REC}\s+(?:is|was|are|were)\s+(?:addressed|directed)\b"
            r"|\b(?:is|are|was|were)\s+(?:addressed|directed)\s+to\s+(?:the\s+)?(?:\w+\s+){0,3}"
            r"(?:legislative|governing|executive\s+boards?|General\s+Assembly|Member\s+States)"
            r"|^\s*noted\.?\s*$"
            r"|注意到|表示注意|予以注意"
            r"|(?:这项|该项|此项|本项|该|此)建议(?:是|系)?(?:针对|面向|提给|提交给|写给|向)",
            _I,
        ),
    ),
    (
        "supported",
        re.compile(
            r"(?<!\bthe )(?<!\bwith )(?<!\bfor )(?<!\bof )(?<!\bits )(?<!\btheir )"
            r"\b(?:support|supports|supported|accept|accepts|accepted|agree\s+with|agrees\s+with|endorse|endorses"
            r"|welcome|welcomes)\b(?!\s+(?:of|for|services?|staff|functions?|costs?)\b)"
            r"|(?<!的)(?:支持|接受|赞同|赞成|同意|欢迎)(?!下)",
            _I,
        ),
    ),
]


def classify_position(text: str) -> Position | None:
    """The stance a response takes on a recommendation, from its first stance cue; ``None`` if none."""
    norm = _normalise(text)
    best: tuple[int, int, Position] | None = None
    for rank, (label, pattern) in enumerate(_POSITION_CUES):
        m = pattern.search(norm)
        if m and (best is None or (m.start(), rank) < best[:2]):
            best = (m.start(), rank, label)
    return best[2] if best else None
