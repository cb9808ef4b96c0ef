"""Language tools for the recommendation extractors: blank spaCy pipelines and cue-phrase matchers.

Why blank pipelines: no trained model can be downloaded here, and the cues that mark a recommendation
("The Advisory Committee recommends", "行预咨委会建议", "reiterates its recommendation") are fixed
phrases of UN drafting, which token patterns catch reliably. Chinese is segmented with jieba; a few
UN organ names are added to jieba's dictionary so that "行预咨委会" stays one token wherever it stands.
Symbols, numbers and dates are not matched on tokens (jieba splits ``A/76/7/Add.29``): the callers
find them with regular expressions on the text.
"""

from __future__ import annotations

import logging
import re
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, wraps
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # spaCy itself is imported at first use: the catalog (names, versions) must stay cheap
    from spacy.language import Language
    from spacy.matcher import Matcher
    from spacy.tokens import Doc, Span

# Organ names jieba would otherwise split or merge with their neighbours ("行预/咨/委会", "委会建议").
ZH_WORDS = (
    "行预咨委会", "咨询委员会", "行政和预算问题咨询委员会", "委员会", "秘书长", "大会", "联检组", "检查专员",
    "审计委员会", "行政首长", "立法机关", "理事机构", "会员国", "第五委员会", "方案协调委员会", "独立审计咨询委员会",
)

# Adverbs that may stand between the Committee and its verb ("The Committee therefore recommends").
EN_ADVERBS = ("also", "further", "therefore", "accordingly", "thus", "again", "once", "hence", "nevertheless",
              "however", "consequently", "furthermore", "moreover", "strongly", "once again")
ZH_ADVERBS = ("还", "也", "亦", "因此", "因而", "故", "进一步", "再次", "再度", "则", "谨", "仍", "仍然", "遂",
              "同时", "据此", "为此", "所以", "此外", "另外", "不")

ACTOR_LABELS = ("COMMITTEE", "OTHER_ACTOR")

# spaCy's StringStore is not thread-safe: two threads adding strings at once corrupt it for the rest of
# the process (E018 "Can't retrieve string for hash"). Flows run extractors on thread pools, so every
# entry point that touches a pipeline or a matcher holds this lock.
_SPACY_LOCK = threading.RLock()
F = TypeVar("F", bound=Callable[..., Any])


def _serialised(func: F) -> F:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _SPACY_LOCK:
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@_serialised
@cache
def pipeline(lang: str) -> Language:
    """A blank pipeline with a sentencizer, loaded once per language (``zh`` uses jieba, others ``en``)."""
    import spacy

    if lang == "zh":
        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.dt.tmp_dir = tempfile.gettempdir()
        for word in ZH_WORDS:
            jieba.add_word(word, freq=200000)
        nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    else:
        nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def language_key(lang: str | None) -> str:
    """The pipeline to use for a document language: Chinese has its own, everything else reads as English."""
    return "zh" if lang == "zh" else "en"


def _en_patterns() -> dict[str, list[list[dict[str, Any]]]]:
    recommend = {"LOWER": {"IN": ["recommends", "recommend"]}}
    return {
        # The verb of a recommendation; its subject is checked separately (the Board also "recommends").
        "RECOMMENDS": [
            [{"LOWER": "recommends"}],
            [{"LOWER": {"IN": ["does", "would", "cannot", "could"]}}, {"LOWER": "not", "OP": "?"}, recommend],
            [{"LOWER": {"IN": ["continues", "continue"]}}, {"LOWER": "to"}, recommend],
            [{"LOWER": {"IN": ["reiterates", "reaffirms", "maintains"]}}, {"LOWER": "its"},
             {"LOWER": {"IN": ["previous", "earlier", "prior", "past"]}, "OP": "?"},
             {"LOWER": {"IN": ["recommendation", "recommendations"]}}],
        ],
        "COMMITTEE": [
            [{"LOWER": "advisory", "OP": "?"}, {"LOWER": "committee"}],
            [{"LOWER": "acabq"}],
        ],
        # Bodies that make recommendations of their own, and other committees than the Advisory Committee.
        # "should", "is requested to": a sentence that asks someone to act.
        "DIRECTIVE": [
            [{"LOWER": {"IN": ["should", "shall", "must"]}}],
            [{"LOWER": {"IN": ["is", "are"]}}, {"LOWER": {"IN": ["also", "further", "hereby"]}, "OP": "?"},
             {"LOWER": {"IN": ["requested", "invited", "encouraged", "urged"]}}],
            [{"LOWER": {"IN": ["recommends", "recommend", "requests", "invites", "urges"]}}],
            [{"LOWER": "may"}, {"LOWER": "wish"}],
        ],
        # Section titles, matched against a whole heading.
        "GA_ACTIONS": [
            [{"LOWER": {"IN": ["recommended", "proposed", "suggested"]}, "OP": "?"},
             {"LOWER": {"IN": ["action", "actions", "decisions"]}},
             {"LOWER": {"IN": ["to", "required", "requested", "proposed", "for", "by"]}},
             {"LOWER": {"IN": ["be", "of", "by", "from"]}, "OP": "?"}, {"LOWER": "taken", "OP": "?"},
             {"LOWER": {"IN": ["by", "of", "from"]}, "OP": "?"}, {"LOWER": "the"}, {"LOWER": "general", "OP": "?"},
             {"LOWER": "assembly"}],
        ],
        # A Secretary-General's report may close on a "Recommendation(s)" chapter that asks the Assembly to act.
        "RECOMMENDATIONS": [
            [{"LOWER": {"IN": ["conclusion", "conclusions"]}, "OP": "?"}, {"LOWER": "and", "OP": "?"},
             {"LOWER": {"IN": ["recommendation", "recommendations"]}}],
        ],
        "COMMENTS": [
            [{"LOWER": {"IN": ["comments", "observations", "views"]}}, {"LOWER": {"IN": ["on", "concerning"]}},
             {"LOWER": "the", "OP": "?"}, {"LOWER": "specific", "OP": "?"},
             {"LOWER": {"IN": ["recommendations", "recommendation"]}}],
            [{"LOWER": "specific"}, {"LOWER": "comments"}, {"LOWER": {"IN": ["on", "concerning"]}, "OP": "?"},
             {"LOWER": "the", "OP": "?"}, {"LOWER": "recommendations", "OP": "?"}],
        ],
        "OTHER_ACTOR": [
            [{"LOWER": "board"}],
            [{"LOWER": "secretary"}, {"ORTH": "-"}, {"LOWER": "general"}],
            [{"LOWER": "secretary-general"}],
            [{"LOWER": {"IN": ["inspector", "inspectors", "oios", "auditors", "jiu", "iaac", "ombudsman"]}}],
            [{"LOWER": {"IN": ["fifth", "audit", "oversight", "programme"]}}, {"LOWER": "advisory", "OP": "?"},
             {"LOWER": "committee"}],
            [{"LOWER": "committee"}, {"LOWER": {"IN": ["for", "of", "on"]}},
             {"LOWER": {"IN": ["programme", "permanent", "contributions", "conferences", "information"]}}],
        ],
    }


def _zh_patterns() -> dict[str, list[list[dict[str, Any]]]]:
    return {
        "RECOMMENDS": [
            [{"ORTH": "建议"}],
            [{"ORTH": {"IN": ["重申", "坚持", "维持"]}}, {"ORTH": "其", "OP": "?"},
             {"ORTH": {"IN": ["先前", "以往", "之前", "此前", "过去", "早先"]}, "OP": "?"},
             {"ORTH": "的", "OP": "?"}, {"ORTH": "建议"}],
        ],
        "COMMITTEE": [
            [{"ORTH": {"IN": ["行预咨委会", "咨询委员会", "行政和预算问题咨询委员会", "委员会"]}}],
        ],
        "DIRECTIVE": [
            [{"TEXT": {"REGEX": "^(应|应当|应该|须|必须|务必)"}}],
            [{"TEXT": {"REGEX": "^(请|建议|促请|敦促|鼓励|似宜|不妨)$"}}],
        ],
        "GA_ACTIONS": [
            [{"ORTH": {"IN": ["有待", "需由", "须由", "需要", "应由", "请", "拟请", "建议", "要求", "提请"]}, "OP": "?"},
             {"ORTH": "大会"},
             {"ORTH": {"IN": ["采取", "须", "需", "需要", "应", "应当", "要"]}, "OP": "+"}, {"ORTH": "采取", "OP": "?"},
             {"ORTH": "的", "OP": "?"}, {"ORTH": "行动"}],
            [{"ORTH": "建议"}, {"ORTH": "大会"}, {"ORTH": "采取"}, {"ORTH": "的", "OP": "?"}, {"ORTH": "行动"}],
        ],
        "RECOMMENDATIONS": [
            [{"ORTH": {"IN": ["结论", "结论和"]}, "OP": "?"}, {"ORTH": {"IN": ["和", "与", "及"]}, "OP": "?"},
             {"ORTH": {"IN": ["建议", "各项建议"]}}],
        ],
        "COMMENTS": [
            [{"ORTH": "对", "OP": "?"}, {"ORTH": "具体"}, {"ORTH": "建议"}, {"ORTH": "的", "OP": "?"},
             {"ORTH": {"IN": ["意见", "评论", "看法"]}}],
            [{"ORTH": "具体"}, {"ORTH": {"IN": ["意见", "评论"]}}],
            [{"ORTH": "对", "OP": "?"}, {"ORTH": {"IN": ["建议", "各项建议"]}}, {"ORTH": "的"}, {"ORTH": "具体", "OP": "?"},
             {"ORTH": {"IN": ["意见", "评论"]}}],
        ],
        "OTHER_ACTOR": [
            [{"ORTH": {"IN": ["审计委员会", "秘书长", "检查专员", "联检组", "监督厅", "第五委员会", "方案协调委员会",
                              "独立审计咨询委员会"]}}],
        ],
    }


@_serialised
@cache
def cue_matcher(lang: str) -> Matcher:
    """Token patterns for recommendation verbs and for the actors that can be their subject."""
    from spacy.matcher import Matcher

    nlp = pipeline(lang)
    matcher = Matcher(nlp.vocab)
    for label, patterns in (_zh_patterns() if lang == "zh" else _en_patterns()).items():
        matcher.add(label, patterns, greedy="LONGEST")
    return matcher


@dataclass(frozen=True)
class Cue:
    """A recommendation verb found in a sentence whose subject is the Advisory Committee."""

    sentence: str
    start: int
    """Character offset of the sentence in the analysed text."""
    end: int
    verb: str


@_serialised
def analyse(text: str, lang: str) -> Doc:
    return pipeline(lang)(text)


@_serialised
def is_directive(text: str, lang: str) -> bool:
    """Whether the text asks someone to act ("should", "应", "is requested to"): a recommendation's mark."""
    lang = language_key(lang)
    doc = pipeline(lang).make_doc(text)
    vocab = doc.vocab.strings
    return any(vocab[m] == "DIRECTIVE" for m, _, _ in cue_matcher(lang)(doc))


# "… by the General Assembly at its eightieth session", "有待大会第八十届会议采取的行动": the session a heading
# names does not change what the section is.
_SESSION_IN_HEADING = re.compile(
    r"\s+(?:at|during)\s+(?:its|the)\s+(?:resumed\s+)?[\w-]+(?:\s+[\w-]+)?\s+session$|第[一二三四五六七八九十百]+届(?:会议|常会)"
)


HEADING_WORDS = {"en": ("assembly", "recommendation", "comments"), "zh": ("大会", "建议", "具体")}
"""Per pipeline, words of which every ``GA_ACTIONS``, ``RECOMMENDATIONS`` and ``COMMENTS`` pattern
requires one (lower case): a heading with none of them is none of those titles (pinned by a test)."""


@_serialised
def heading_kind(text: str, lang: str) -> str | None:
    """``GA_ACTIONS``, ``RECOMMENDATIONS`` or ``COMMENTS`` when a heading is one of those section titles, else ``None``.

    The title must be the whole heading (bar punctuation), so a table-of-contents line with dot
    leaders or a sentence that mentions the section ("are set out in section IV") does not count.
    """
    lang = language_key(lang)
    if not any(word in text.lower() for word in HEADING_WORDS[lang]):
        return None  # no title pattern can match: spared the tokenizer and matcher (most short paragraphs)
    doc = pipeline(lang).make_doc(_SESSION_IN_HEADING.sub("", text.strip()))
    words = [t.i for t in doc if not (t.is_punct or t.is_space)]
    if not words:
        return None
    vocab = doc.vocab.strings
    for match_id, start, end in cue_matcher(lang)(doc):
        label = vocab[match_id]
        if label in ("GA_ACTIONS", "RECOMMENDATIONS", "COMMENTS") and start <= words[0] and end > words[-1]:
            return label
    return None


@_serialised
def committee_recommendations(text: str, lang: str) -> list[Cue]:
    """Sentences in which the Advisory Committee recommends (or reiterates a recommendation).

    A sentence counts when the nearest actor before a recommendation verb that can be its subject
    (see ``_is_subject``) is the Committee: "the proposal of the Secretary-General" is no subject, and
    "The Board recommends" is a quotation, not the Committee's recommendation.
    """
    lang = language_key(lang)
    doc = analyse(text, lang)
    matches = cue_matcher(lang)(doc)
    vocab = doc.vocab.strings
    verbs = [doc[s:e] for m, s, e in matches if vocab[m] == "RECOMMENDS"]
    actors = _actors([(vocab[m], doc[s:e]) for m, s, e in matches if vocab[m] in ACTOR_LABELS])
    found: list[Cue] = []
    seen: set[int] = set()
    for verb in verbs:
        sentence = verb.sent
        if sentence.start in seen or not _is_verb(verb, lang):
            continue
        before = [(label, span) for label, span in actors
                  if span.sent.start == sentence.start and span.end <= verb.start and _is_subject(span, lang)]
        if before and before[-1][0] == "COMMITTEE":
            seen.add(sentence.start)
            found.append(Cue(sentence.text, sentence.start_char, sentence.end_char, verb.text))
    return found


_ZH_NOUN_MARKERS = {"的", "所载", "项", "条", "这项", "该项", "各项", "上述", "此项", "这些", "该", "其", "提出",
                    "落实", "执行", "关于", "与", "和", "及", "有关", "上文", "下文", "些", "一项", "多项", "采纳",
                    "接受", "支持", "载于", "根据", "按照", "依照", "遵守", "本"}


# "曾建议", "先前建议": what the Committee recommended before and now recalls (English "recalls that it
# recommended" has no present-tense verb to match).
_ZH_PAST_MARKERS = {"曾", "曾经", "先前", "此前", "以前", "过去", "早先", "业已"}


def _is_verb(verb: Span, lang: str) -> bool:
    """In Chinese "建议" is a noun as often as a verb; after a determiner or "的" it is the noun, after
    "曾" it is a past recommendation."""
    if lang != "zh" or len(verb) > 1:
        return True
    doc = verb.doc
    if verb.start == 0:
        return False
    previous = doc[verb.start - 1].text
    following = doc[verb.end].text if verb.end < len(doc) else ""
    if previous in _ZH_PAST_MARKERS:
        return False  # "回顾曾建议秘书长…": a recommendation recalled, not made
    return previous not in _ZH_NOUN_MARKERS and following not in {"的", "中", "和", "及", "是", "已", "。", "；"}


def _actors(found: list[tuple[str, Span]]) -> list[tuple[str, Span]]:
    """Actor mentions in text order; "Committee" inside "Fifth Committee" is that other committee."""
    others = [span for label, span in found if label == "OTHER_ACTOR"]
    kept = [(label, span) for label, span in found
            if label == "OTHER_ACTOR" or not any(o.start <= span.start and span.end <= o.end for o in others)]
    return sorted(kept, key=lambda item: item[1].start)


# Words after which an English actor stands as the subject of a new clause.
_EN_CLAUSE_OPENERS = {"that", "and", "but", "while", "whereas", "although", "though", "which", "therefore",
                      "accordingly", "however", "thus", "also", "where", "when", "if", "since", "as"}
# Prepositions, and verbs whose object an organ is ("落实委员会建议": the Committee's recommendations).
_ZH_OBJECT_BEFORE = {"向", "由", "对", "请", "与", "就", "供", "将", "和", "及", "同", "落实", "执行", "实施", "采纳",
                     "接受", "支持", "赞同", "同意", "根据", "按照", "依照", "遵照", "遵循", "关于", "注意到", "审议"}


def _is_subject(actor: Span, lang: str) -> bool:
    """Whether an actor mention can be the subject of the verb after it.

    English: the actor opens a clause (sentence start, a comma, "that", "and" …), so "commends the
    Mission and recommends" keeps the Committee as subject while "notes that the Board recommends"
    does not. Chinese has no "that": any actor not governed by a preposition or followed by "的" counts.
    """
    doc = actor.doc
    if lang == "zh":
        following = doc[actor.end].text if actor.end < len(doc) else ""
        previous = doc[actor.start - 1].text if actor.start else ""
        return following not in {"的", "关于", "所"} and previous not in _ZH_OBJECT_BEFORE
    i = actor.start - 1
    while i >= actor.sent.start and doc[i].lower_ in {"the", "its", "advisory", "this"}:
        i -= 1
    if i < actor.sent.start:
        return True
    if doc[actor.end].lower_ in {"'s", "’s"} if actor.end < len(doc) else False:
        return False
    return doc[i].is_punct or doc[i].lower_ in _EN_CLAUSE_OPENERS


__all__ = ["Cue", "committee_recommendations", "cue_matcher", "language_key", "pipeline"]


def preload(languages: Iterable[str | None] | None = None) -> None:
    """Load both pipelines, their cue matchers and jieba's dictionary now, not at the first document:
    a process that extracts can then freeze its heap with them in it (``gc.freeze``), so the collector
    stops walking spaCy's and jieba's millions of long-lived objects while documents are parsed.

    ``languages``: the documents' languages, when known beforehand (a re-extraction knows them); then
    only the pipelines they use are loaded (jieba's dictionary alone takes over half a CPU-second). A
    pipeline not loaded here still loads at its first use."""
    keys = None if languages is None else {language_key(lang) for lang in languages}
    for lang, sample in (("en", "The Advisory Committee recommends approval."), ("zh", "行预咨委会建议核准。")):
        if keys is None or lang in keys:
            cue_matcher(lang)
            analyse(sample, lang)
