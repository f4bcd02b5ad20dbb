"""Finding an item or a bundle from the words people use: Chinese, pinyin or initials.

People type "开饭店" (an everyday phrase, not the item's name), "kaifandian" (pinyin on a
phone without a Chinese keyboard), "kfd" (initials) or "开饭点" (a wrong character). The
catalogue's own names, the everyday keywords staff enter on each item and bundle, and the
table of everyday phrases an administrator keeps (``models.Synonym``: 卖房子 means
不动产转移登记、二手房) are the only vocabulary; nothing is guessed from outside it. A phrase
of that table becomes a keyword of every item and bundle whose name or keywords contain
one of its meanings and, matched whole, puts the earlier meanings first.

How a query matches (every whitespace-separated part must match; the scores add up):

* Chinese: the part as a substring of a name (best) or a keyword; then the words jieba
  finds in it; then the same sound — the part's pinyin equals the pinyin of a name,
  keyword or word of the catalogue (开饭点 → kaifandian = 开饭店); and only when none of
  that finds anything, one wrong character — a part of three or more characters that
  differs from some window of a name or keyword in exactly one place (开钣店 ≈ 开饭店).
* Latin letters only (spaces ignored): a code (KYFD); the full pinyin of a name, keyword or
  word, exactly or as a prefix or inside it; their initials (kfd), exactly or as a prefix.
* Anything else (digits, hyphens: "SCJG-001", "X-042"): the code or the text contains it.

The index is built in the process from the published items and bundles and rebuilt when
the catalogue changes. Whether it changed is told by the catalogue's version token
(``models.catalogue_version``: one row, one indexed read, replaced in the same transaction
by every write to the catalogue, its synonyms, sites and departments), read from the
database rather than the cache because the embedded cache is per-process. Built once per
process and version, so no other process can keep a stale one, each time with a new jieba
tokenizer that knows the catalogue's phrases. jieba's word list and pypinyin's phrase table
are read from a file on disk (``lexicon.py``), with the same cuts and pinyin as the two
libraries give from memory, so a worker's first search adds a few MB, not 130.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Case, IntegerField, QuerySet, Value, When

from bangban.catalogue import lexicon
from bangban.catalogue.models import (
    Bundle,
    ServiceItem,
    Synonym,
    catalogue_version,
    synonym_meanings,
)

MAX_QUERY_LENGTH = 50
MAX_RESULTS = 200  # more than anyone pages through; keeps the ordering query small
# Words too common in how people ask to say anything about which item they want.
STOPWORDS = frozenset(
    "我 我要 我想 想要 想 要 办 办理 怎么 怎么办 如何 哪里 在哪 需要 什么 个 一个 的 了 吗 呢 请问 去 "
    "可以 能 能否 手续 流程".split()
)

_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"^[a-z]+$")
_SEPARATORS = re.compile(r"[\s,，、;；。/]+")
_KEYWORD_SPLIT = re.compile(r"[\s,，、;；。/]+")


# --- text helpers -----------------------------------------------------------------------


def normalize(text: str) -> str:
    """Full-width to half-width (Chinese input methods), lower case, trimmed."""
    return unicodedata.normalize("NFKC", text or "").lower().strip()


def has_han(text: str) -> bool:
    return bool(_HAN.search(text))


_lexicon: lexicon.Lexicon | None = None
_lexicon_lock = threading.Lock()


def dictionaries() -> lexicon.Lexicon:
    """jieba's and pypinyin's dictionaries, read from their file (``lexicon.py``)."""
    global _lexicon
    if _lexicon is None:
        with _lexicon_lock:
            if _lexicon is None:
                _lexicon = lexicon.Lexicon(lexicon.ensure())
    return _lexicon


@lru_cache(maxsize=8192)
def pinyin(text: str) -> tuple[str, str]:
    """(full pinyin without tones, initials) of the Chinese characters and letters in ``text``:
    pypinyin's, read from its phrase table on disk (``lexicon.pinyin``)."""
    kept = "".join(ch for ch in text if _HAN.match(ch) or ch.isascii() and ch.isalnum())
    if not kept:
        return "", ""
    full, initials = lexicon.pinyin(dictionaries(), kept)
    return full.lower(), initials.lower()


def new_tokenizer():
    """jieba's tokenizer on its own dictionary, read from disk (``lexicon.Frequencies``): it
    cuts as jieba does with the dictionary in memory."""
    jieba = lexicon.import_jieba()
    made = jieba.Tokenizer()
    found = dictionaries()
    made.FREQ = lexicon.Frequencies(found)
    made.total = found.total
    made.initialized = True
    return made


_tokenizer = None
_tokenizer_lock = threading.Lock()


def tokenizer():
    """The tokenizer of the current index (jieba's words plus the catalogue's phrases)."""
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                _tokenizer = new_tokenizer()
    return _tokenizer


@lru_cache(maxsize=8192)
def words(text: str) -> tuple[str, ...]:
    """The words of ``text`` worth matching on: jieba's search-mode cut, two characters or more."""
    tokens = tokenizer().cut_for_search(text)
    return tuple(t for t in dict.fromkeys(tokens) if len(t) >= 2 and t not in STOPWORDS)


def one_char_off(part: str, phrase: str) -> bool:
    """Whether some window of ``phrase`` as long as ``part`` differs from it in one place only."""
    n = len(part)
    for start in range(len(phrase) - n + 1):
        window = phrase[start : start + n]
        if sum(a != b for a, b in zip(part, window, strict=True)) == 1:
            return True
    return False


# --- the index ----------------------------------------------------------------------------


@dataclass
class Entry:
    """One item or bundle as the search sees it."""

    kind: str  # "item" or "bundle"
    pk: int
    code: str
    name: str
    phrases: list[str]  # the name first, then keywords and life events, normalized
    text: str = ""
    terms: set[str] = field(default_factory=set)  # phrases and the words inside them
    sounds: dict[str, str] = field(default_factory=dict)  # pinyin of each term → the term
    initials: set[str] = field(default_factory=set)
    sound_text: str = ""  # the phrases' pinyin, space-separated, for "inside" matches
    initials_text: str = ""
    # everyday phrases of the synonym table that mean this entry → bonus (earlier meaning, more)
    preferred: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.text = "\n".join(self.phrases)
        for phrase in self.phrases:
            self.terms.add(phrase)
            self.terms.update(words(phrase))
        sound_lines, initial_lines = [], []
        for term in self.terms:
            full, first = pinyin(term)
            if full:
                self.sounds.setdefault(full, term)
                self.initials.add(first)
        for phrase in self.phrases:
            full, first = pinyin(phrase)
            sound_lines.append(full)
            initial_lines.append(first)
        self.sound_text = " ".join(sound_lines)
        self.initials_text = " ".join(initial_lines)

    # Scores: a whole match beats any sum of partial ones; in the name beats in a keyword;
    # exact beats a prefix, a prefix beats "somewhere inside".
    def score(self, part: str, fuzzy: bool = False) -> int:
        if has_han(part):
            return self._score_chinese(part, fuzzy)
        if _LATIN.match(part):
            return self._score_latin(part)
        return self._score_other(part)

    def _score_chinese(self, part: str, fuzzy: bool) -> int:
        if part in self.phrases[0]:
            return 1000
        if part in self.text:
            return 800 + self.preferred.get(part, 0)
        score = min(300, sum(20 * len(w) for w in words(part) if w in self.text))
        full, _ = pinyin(part)
        if full and len(full) >= 4:  # the same sound written with another character
            if full in self.sounds:
                score += 60
            elif full in self.sound_text:
                score += 40
        if fuzzy and len(part) >= 3 and any(one_char_off(part, phrase) for phrase in self.phrases):
            score += 45
        return score

    def _score_latin(self, part: str) -> int:
        if part in self.code.lower():
            return 1000
        name_full, name_first = pinyin(self.phrases[0])
        in_name = 100 if part in name_full or part in name_first else 0
        if len(part) >= 2 and part in self.sounds:
            return 800 + in_name
        if len(part) >= 2 and part in self.initials:
            return 700 + in_name
        if len(part) >= 3 and any(s.startswith(part) for s in self.sounds):
            return 400 + in_name
        if len(part) >= 4 and part in self.sound_text:
            return 300 + in_name
        if len(part) >= 3 and any(i.startswith(part) for i in self.initials):
            return 250 + in_name
        if len(part) >= 3 and part in self.initials_text:
            return 150 + in_name
        return 0

    def _score_other(self, part: str) -> int:
        if part in self.code.lower():
            return 1000
        return 800 if part in self.text else 0


def _phrases(*texts: str) -> list[str]:
    seen: dict[str, None] = {}
    for i, text in enumerate(texts):
        text = normalize(text)
        if i == 0:
            seen[text] = None  # the name stays whole and first
            continue
        for piece in _KEYWORD_SPLIT.split(text):
            if piece:
                seen[piece] = None
    return [p for p in seen if p]


@dataclass(frozen=True)
class Index:
    version: str | None  # the catalogue's version token it was built from
    items: tuple[Entry, ...]
    bundles: tuple[Entry, ...]


_index: Index | None = None
_build_lock = threading.Lock()


SYNONYM_BONUS = 90  # the first meaning's; each later one 10 less (never below a plain keyword)


def _with_synonyms(
    entries: list[tuple[int, str, list[str]]], synonyms: list[tuple[str, list[str]]]
) -> list[tuple[int, str, list[str], dict[str, int]]]:
    """Each entry with the everyday phrases that mean it added as keywords, and their bonus."""
    out = []
    for pk, code, phrases in entries:
        text = "\n".join(phrases)
        preferred: dict[str, int] = {}
        for phrase, meanings in synonyms:
            for position, meaning in enumerate(meanings):
                if meaning in text:
                    preferred[phrase] = max(SYNONYM_BONUS - 10 * position, 10)
                    break
        extra = [p for p in preferred if p not in phrases]
        out.append((pk, code, phrases + extra, preferred))
    return out


def current_index(version: str | None = None) -> Index:
    """The index for the catalogue as it is now: rebuilt only when its version changed.

    ``version`` is the token the caller already read (``models.catalogue_version``);
    without it, one query reads it. With no version row at all the index is rebuilt.
    """
    global _index
    if version is None:
        version = catalogue_version()
    index = _index
    if version is not None and index is not None and index.version == version:
        return index
    with _build_lock:
        index = _index
        if version is not None and index is not None and index.version == version:
            return index
        items = [
            (pk, code, _phrases(name, keywords))
            for pk, code, name, keywords in ServiceItem.objects.filter(
                is_published=True
            ).values_list("pk", "code", "name", "keywords")
        ]
        bundles = [
            (pk, code, _phrases(name, life_event, keywords))
            for pk, code, name, life_event, keywords in Bundle.objects.filter(is_published=True)
            .order_by("pk")
            .values_list("pk", "code", "name", "life_event", "keywords")
        ]
        synonyms = [
            (normalize(phrase), [normalize(m) for m in synonym_meanings(means)])
            for phrase, means in Synonym.objects.filter(is_active=True)
            .order_by("pk")
            .values_list("phrase", "means")
            if normalize(phrase)
        ]
        items_full = _with_synonyms(items, synonyms)
        bundles_full = _with_synonyms(bundles, synonyms)
        # The catalogue's own phrases become words, so "我想开饭店" cuts out "开饭店"; on a
        # new tokenizer each time, so the phrases of an earlier catalogue do not linger.
        global _tokenizer
        made = new_tokenizer()
        for _, _, phrases, _ in items_full + bundles_full:
            for phrase in phrases[1:]:
                if has_han(phrase) and 2 <= len(phrase) <= 8:
                    made.add_word(phrase, freq=2000)
        _tokenizer = made
        words.cache_clear()  # cuts made with the previous tokenizer are stale
        index = Index(
            version,
            tuple(
                Entry("item", pk, code, p[0], p, preferred=bonus)
                for pk, code, p, bonus in items_full
            ),
            tuple(
                Entry("bundle", pk, code, p[0], p, preferred=bonus)
                for pk, code, p, bonus in bundles_full
            ),
        )
        _index = index
        return index


# --- searching --------------------------------------------------------------------------


def query_parts(query: str) -> list[str]:
    """The parts of a query that must each match; pinyin typed with spaces is one part."""
    query = normalize(query)[:MAX_QUERY_LENGTH]
    if not query:
        return []
    if re.fullmatch(r"[a-z' ]+", query):
        return [query.replace(" ", "").replace("'", "")]
    return [p for p in _SEPARATORS.split(query) if p]


def rank(entries, query: str) -> list[tuple[int, int]]:
    """(pk, score) of the entries matching every part of ``query``, best first."""
    parts = query_parts(query)
    if not parts:
        return []
    # One wrong character is tried only when nothing matches as typed (or as it sounds):
    # otherwise "开饭店" would also bring every "开药店" and "开书店".
    found = _matching(entries, parts, fuzzy=False) or _matching(entries, parts, fuzzy=True)
    found.sort(key=lambda row: (-row[1], row[2]))
    return [(pk, score) for pk, score, _ in found[:MAX_RESULTS]]


def _matching(entries, parts: list[str], fuzzy: bool) -> list[tuple[int, int, str]]:
    found = []
    for entry in entries:
        total = 0
        for part in parts:
            score = entry.score(part, fuzzy)
            if score <= 0:
                break
            total += score
        else:
            found.append((entry.pk, total, entry.code))
    return found


def _ordered(queryset: QuerySet, ranked: list[tuple[int, int]]) -> QuerySet:
    if not ranked:
        return queryset.none()
    order = Case(
        *(When(pk=pk, then=Value(position)) for position, (pk, _) in enumerate(ranked)),
        output_field=IntegerField(),
    )
    return queryset.filter(pk__in=[pk for pk, _ in ranked]).order_by(order)


def search_items(
    items: QuerySet[ServiceItem], query: str, version: str | None = None
) -> QuerySet[ServiceItem]:
    """``items`` narrowed to those matching ``query``, best match first (all of them if blank).

    ``version``: the catalogue's version token if the caller has read it (saves a query).
    """
    if not query_parts(query):
        return items
    return _ordered(items, rank(current_index(version).items, query))


def search_bundles(query: str, version: str | None = None) -> QuerySet[Bundle]:
    """Published bundles matching ``query``, best first (all of them if blank)."""
    bundles = Bundle.objects.filter(is_published=True)
    if not query_parts(query):
        return bundles
    return _ordered(bundles, rank(current_index(version).bundles, query))
