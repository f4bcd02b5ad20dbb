"""A web worker stays small: what only prints and exports need is imported when they run.

Issue 15 ("worker memory < 150 MB after the run"): WeasyPrint (with fontTools, pydyf,
tinycss2: about 40 MB per process) and openpyxl (about 16 MB) are imported by the first
print or Excel export, not by the web application. The job worker renders the forms; a web
worker pays for them only if it serves an on-demand print or an export
(docs/operations.md §9.2).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent.parent
ONLY_FOR_PRINTS_AND_EXPORTS = ("weasyprint", "fontTools", "pydyf", "openpyxl")

# A web worker as gunicorn starts it: the WSGI application in production mode, then every
# view module (the URLconf, which Django imports at the first request).
WEB_WORKER = """
import json, sys
from bangban.wsgi import application
from django.urls import get_resolver
get_resolver().url_patterns
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def _imported_by(code: str, tmp_path: Path) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANGBAN_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bangban.settings",
            "BANGBAN_MODE": "production",
            "BANGBAN_DATA_DIR": str(tmp_path),
            # never connected to: importing the application opens no connection
            "BANGBAN_DATABASE_URL": "postgres://nobody@127.0.0.1:9/not_used",
            "BANGBAN_SECRET_KEY": secrets.token_urlsafe(50),
            "BANGBAN_PERSONAL_DATA_KEY": secrets.token_urlsafe(50),
            "BANGBAN_AUDIT_KEY": secrets.token_urlsafe(50),
        }
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_a_web_worker_does_not_import_the_pdf_and_excel_libraries(tmp_path):
    imported = _imported_by(WEB_WORKER, tmp_path)
    assert "bangban" in imported and "django" in imported  # the application did load
    assert "psycopg" in imported  # and its database driver: the check sees real imports
    assert not imported & set(ONLY_FOR_PRINTS_AND_EXPORTS)


def test_the_pdf_and_excel_libraries_load_when_a_print_or_export_needs_them(tmp_path):
    imported = _imported_by(
        WEB_WORKER.replace(
            "get_resolver().url_patterns",
            "get_resolver().url_patterns\n"
            "from bangban.documents.rendering import _local_fetcher_class\n"
            "_local_fetcher_class()\n"
            "from bangban.xlsx import open_workbook\n"
            "import io\n"
            "try:\n"
            "    open_workbook(io.BytesIO(b'not a workbook'))\n"
            "except Exception:\n"
            "    pass",
        ),
        tmp_path,
    )
    assert {"weasyprint", "openpyxl"} <= imported


def test_cleaning_a_cell_drops_what_openpyxl_refuses():
    """bangban.xlsx keeps its own copy of openpyxl's pattern (so cleaning imports nothing)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    from bangban import xlsx

    assert xlsx.ILLEGAL_CHARACTERS_RE.pattern == ILLEGAL_CHARACTERS_RE.pattern
    assert xlsx.ILLEGAL_CHARACTERS_RE.flags == ILLEGAL_CHARACTERS_RE.flags
    every_character = "".join(map(chr, range(0x80)))
    assert xlsx.clean(every_character) == ILLEGAL_CHARACTERS_RE.sub("", every_character)
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", xlsx.clean(every_character))


@pytest.mark.parametrize("value", ["=HYPERLINK(1)", "+1", "plain"])
def test_risky_text_still_becomes_a_text_cell_with_the_import_deferred(value):
    from openpyxl import Workbook

    from bangban.xlsx import safe_value

    sheet = Workbook(write_only=True).create_sheet("s")
    made = safe_value(sheet, value)
    if value == "plain":
        assert made == "plain"
    else:
        assert made.data_type == "s" and made.quotePrefix and made.value == value


def test_gunicorn_recycles_each_worker_after_about_ten_thousand_requests():
    from bangban.cli import gunicorn_command

    command = gunicorn_command(["0.0.0.0:8000"], {"BANGBAN_WEB_WORKERS": "2"})
    assert command[:2] == ["gunicorn", "bangban.wsgi:application"]
    flags = [part for part in command[2:] if part != "--preload"]
    given = dict(zip(flags[::2], flags[1::2], strict=True))
    assert given["--bind"] == "0.0.0.0:8000" and given["--workers"] == "2"
    assert given["--max-requests"] == "10000" and given["--max-requests-jitter"] == "1000"
    never = gunicorn_command([], {"BANGBAN_WEB_MAX_REQUESTS": "0"})
    assert never[never.index("--max-requests") + 1] == "0"  # gunicorn: 0 is never


def test_the_gunicorn_master_prepares_the_search_dictionaries_without_holding_them(tmp_path):
    """``bangban/gunicorn_conf.py``: with ``--preload`` the master makes the search's
    dictionaries file (by another process) and imports jieba before it forks, opens none of
    it, and freezes what it loaded so the workers' collections leave it shared."""
    from bangban.cli import gunicorn_command

    command = gunicorn_command([], {})
    assert "--preload" in command
    assert command[command.index("--config") + 1] == "python:bangban.gunicorn_conf"
    imported = _imported_by(
        WEB_WORKER.replace(
            "print(",
            "import gc\n"
            "from bangban import gunicorn_conf\n"
            "gunicorn_conf.when_ready(None)\n"
            "assert gc.get_freeze_count() > 0\n"
            "from bangban.catalogue import lexicon, search\n"
            "assert lexicon.path().exists()\n"
            "assert search._lexicon is None and search._tokenizer is None\n"
            "print(",
        ),
        tmp_path,
    )
    assert "jieba" in imported
    assert not imported & {"pypinyin", "pkg_resources", *ONLY_FOR_PRINTS_AND_EXPORTS}


# A worker's first search: the words and the sound of a query, as the index and the ranking
# ask for them, with the resident memory before and after.
FIRST_SEARCH = """
def rss():
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS")).split()[1])
from bangban.catalogue import lexicon, search
lexicon.ensure()
before = rss()
assert search.words("我想开饭店办营业执照") == ("想开", "饭店", "营业", "执照", "营业执照")
assert search.pinyin("银行开户") == ("yinhangkaihu", "yhkh")
grown = (rss() - before) // 1024
assert grown < 25, f"the first search grew the worker by {grown} MB"
"""


def test_a_workers_first_search_loads_no_dictionary_into_memory(tmp_path):
    """Issue 15: jieba's word list (+62 MB) and pypinyin with its phrase table (+55 MB) made
    each worker some 130 MB bigger at its first search; they are read from disk instead."""
    imported = _imported_by(WEB_WORKER.replace("print(", FIRST_SEARCH + "print("), tmp_path)
    assert "jieba" in imported
    assert not imported & {"pypinyin", "pkg_resources"}
