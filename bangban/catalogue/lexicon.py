"""The search's two dictionaries on disk, so that no web worker holds them in memory.

jieba's word list (350 000 words and their prefixes, about 60 MB as a Python dict) and
pypinyin's phrase table (about 55 MB) are what made a web worker grow by some 130 MB at
its first search (issue 15, docs/operations.md §9.2). Both are only ever asked about the
substrings of the text being cut, so they are written once, by a separate process, to a
read-only SQLite file, and the search asks the file (an indexed read per substring, pages
shared by every process through the page cache):

* ``word``: jieba's frequency table exactly as ``jieba.Tokenizer`` builds it (each word and
  its prefixes, with 0 for a prefix that is not a word) and its total, so that jieba's own
  cutting code, given this table, cuts every text exactly as with its dictionary in memory;
* ``phrase``: pypinyin's phrase table as its segmenter sees it (each phrase's prefixes,
  with the phrase's pinyin where the prefix is a phrase itself);
* ``han``: each character's pinyin as pypinyin gives it alone.

``pinyin`` then repeats pypinyin's segmentation (longest phrase first, ``seg/mmseg.py``)
and gives the same pinyin as ``pypinyin.lazy_pinyin`` for the text the search keeps
(Chinese characters U+3400–U+9FFF, ASCII letters and digits); the tests compare the two.

The file is named after the versions of jieba and pypinyin it was made from and made on
first use (or by gunicorn's master before it forks: ``bangban/gunicorn_conf.py``) by
``python -m bangban.catalogue.lexicon``, which alone imports the two libraries' tables.
Its directory: ``BANGBAN_LEXICON_DIR``, else the system's temporary directory.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
from importlib.metadata import version as _package_version
from pathlib import Path

FORMAT = 1
# The characters the search keeps; every one of them is a Chinese character to pypinyin.
HAN_RANGES = ((0x3400, 0x9FFF),)
_KEEP = re.compile(r"[\u3400-\u9fff]")


def path() -> Path:
    folder = os.environ.get("BANGBAN_LEXICON_DIR") or str(
        Path(tempfile.gettempdir()) / f"bangban-lexicon-{os.getuid()}"
    )
    name = (
        f"lexicon-{FORMAT}-jieba-{_package_version('jieba')}"
        f"-pypinyin-{_package_version('pypinyin')}.sqlite3"
    )
    return Path(folder) / name


def ensure() -> Path:
    """The lexicon's file, made first (in a separate process) if it is missing."""
    target = path()
    if not target.exists():
        subprocess.run(
            [sys.executable, "-m", "bangban.catalogue.lexicon", str(target)],
            check=True,
            timeout=600,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
        )
    return target


# --- reading (in the web workers) ----------------------------------------------------------


class Lexicon:
    """The file, read-only; one connection per process (never shared across a fork)."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self._lock = threading.Lock()
        self._pid = -1
        self._db: sqlite3.Connection | None = None
        self.total = int(self._one("SELECT value FROM meta WHERE key = 'total'")[0])

    def _one(self, sql: str, *params: str):
        with self._lock:
            if self._db is None or self._pid != os.getpid():
                self._db = sqlite3.connect(
                    f"file:{self.file}?mode=ro&immutable=1", uri=True, check_same_thread=False
                )
                self._pid = os.getpid()
            return self._db.execute(sql, params).fetchone()

    def freq(self, word: str) -> int | None:
        """jieba's frequency of ``word`` (0: only a prefix of words); None: not in its table."""
        row = self._one("SELECT freq FROM word WHERE w = ?", word)
        return None if row is None else row[0]

    def phrase(self, text: str) -> tuple[str, str] | None | bool:
        """pypinyin's (pinyin, initials) of the phrase ``text``; False: a prefix of phrases
        only; None: neither."""
        row = self._one("SELECT full, initials FROM phrase WHERE p = ?", text)
        if row is None:
            return None
        return False if row[0] is None else (row[0], row[1])

    def han(self, char: str) -> tuple[str, str]:
        row = self._one("SELECT full, initials FROM han WHERE c = ?", char)
        return (row[0], row[1]) if row else (char, char)


def import_jieba():
    """jieba, without the 12 MB of ``pkg_resources`` it would import for nothing (it then
    opens its model files directly, as it does where setuptools is missing)."""
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # import → ImportError
    try:
        import jieba
    finally:
        if blocked and sys.modules.get("pkg_resources", False) is None:
            del sys.modules["pkg_resources"]
    jieba.setLogLevel(logging.WARNING)
    return jieba


class Frequencies:
    """jieba's ``Tokenizer.FREQ`` read from the file, with the words added in this process."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.added: dict[str, int] = {}

    def get(self, word: str, default=None):
        if word in self.added:
            return self.added[word]
        found = self.lexicon.freq(word)
        return default if found is None else found

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.get(word) is not None

    def __getitem__(self, word: str) -> int:
        found = self.get(word)
        if found is None:
            raise KeyError(word)
        return found

    def __setitem__(self, word: str, freq: int) -> None:
        self.added[word] = freq


def cut_phrases(lexicon: Lexicon, run: str):
    """pypinyin's segmentation of a run of Chinese characters (``Seg(no_non_phrases=True)``):
    the longest phrase at the start, else one character."""
    remain = run
    while remain:
        longest = 0
        reading = None
        for end in range(1, len(remain) + 1):
            found = lexicon.phrase(remain[:end])
            if found is None:
                break
            if found:
                longest, reading = end, found
        if longest:
            yield reading
            remain = remain[longest:]
        else:
            yield lexicon.han(remain[0])
            remain = remain[1:]


def pinyin(lexicon: Lexicon, kept: str) -> tuple[str, str]:
    """``lazy_pinyin`` of ``kept`` (Chinese characters and ASCII letters and digits only),
    joined: (full pinyin without tones, initials)."""
    full: list[str] = []
    first: list[str] = []
    for run in re.findall(r"[\u3400-\u9fff]+|[^\u3400-\u9fff]+", kept):
        if not _KEEP.match(run):
            full.append(run)
            first.append(run)
            continue
        for reading in cut_phrases(lexicon, run):
            full.append(reading[0])
            first.append(reading[1])
    return "".join(full), "".join(first)


# --- writing (python -m bangban.catalogue.lexicon FILE) -------------------------------------


def _readings(texts: list[str]) -> list[tuple[str, str]]:
    """pypinyin's (pinyin, initials) of each text, many texts to a call."""
    from pypinyin import Style, lazy_pinyin

    out: list[tuple[str, str]] = []
    for start in range(0, len(texts), 2000):
        batch = texts[start : start + 2000]
        joined = "\n".join(batch)  # a non-Chinese character: each text is cut on its own
        both = []
        for style in (Style.NORMAL, Style.FIRST_LETTER):
            pieces: list[list[str]] = [[]]
            for syllable in lazy_pinyin(joined, style=style, errors="default"):
                if syllable == "\n":
                    pieces.append([])
                else:
                    pieces[-1].append(syllable)
            assert len(pieces) == len(batch)
            both.append(["".join(p) for p in pieces])
        out.extend(zip(both[0], both[1], strict=True))
    return out


def _reading(text: str) -> tuple[str, str]:
    from pypinyin import Style, lazy_pinyin

    return (
        "".join(lazy_pinyin(text, errors="default")),
        "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")),
    )


def build(target: Path) -> None:
    import jieba
    from pypinyin.constants import PHRASES_DICT

    made = jieba.Tokenizer()
    freq, total = made.gen_pfdict(made.get_dict_file())
    phrases = sorted(PHRASES_DICT)
    prefixes = {p[:end] for p in phrases for end in range(1, len(p))} - set(phrases)
    chars = [chr(c) for low, high in HAN_RANGES for c in range(low, high + 1)]

    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    db = sqlite3.connect(partial)
    db.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
        "CREATE TABLE word (w TEXT PRIMARY KEY, freq INTEGER NOT NULL) WITHOUT ROWID;"
        "CREATE TABLE phrase (p TEXT PRIMARY KEY, full TEXT, initials TEXT) WITHOUT ROWID;"
        "CREATE TABLE han (c TEXT PRIMARY KEY, full TEXT, initials TEXT) WITHOUT ROWID;"
    )
    db.execute("INSERT INTO meta VALUES ('total', ?)", (str(total),))
    db.executemany("INSERT INTO word VALUES (?, ?)", sorted(freq.items()))
    db.executemany(
        "INSERT INTO phrase VALUES (?, ?, ?)",
        sorted(
            [(p, *r) for p, r in zip(phrases, _readings(phrases), strict=True)]
            + [(p, None, None) for p in prefixes]
        ),
    )
    db.executemany(
        "INSERT INTO han VALUES (?, ?, ?)",
        [(c, *_reading(c)) for c in chars],
    )
    db.commit()
    db.execute("VACUUM")
    db.close()
    os.replace(partial, target)


if __name__ == "__main__":
    build(Path(sys.argv[1]))
