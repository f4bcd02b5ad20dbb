"""How case and document numbers are written and read back: ``PREFIX-SITE-YEAR-NNNNNN``
(e.g. ``BJ-V1-2026-000123``). Plain module: ``services.next_number`` writes them, the audit
reads their series back, and the portal reads the site a complaint's case number names."""

from __future__ import annotations

import re
from typing import NamedTuple

_NUMBER = re.compile(r"^(?P<prefix>[A-Z]+)-(?P<site>.+)-(?P<year>\d{4})-(?P<seq>\d+)$")


def series(prefix: str, site_code: str, year: int) -> str:
    """The part every number issued by one counter shares: ``BJ-V1-2026``."""
    return f"{prefix}-{site_code}-{year}"


def format_number(prefix: str, site_code: str, year: int, seq: int) -> str:
    return f"{series(prefix, site_code, year)}-{seq:06d}"


class Number(NamedTuple):
    prefix: str
    site_code: str
    year: int
    seq: int

    @property
    def series(self) -> str:
        return series(self.prefix, self.site_code, self.year)


def parse_number(text: str) -> Number | None:
    """The parts of a number as ``format_number`` writes it; None for anything else."""
    match = _NUMBER.match(text or "")
    if match is None:
        return None
    return Number(match["prefix"], match["site"], int(match["year"]), int(match["seq"]))
