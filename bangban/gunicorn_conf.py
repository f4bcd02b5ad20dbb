"""gunicorn's hooks for ``bangban serve --gunicorn`` (``--config python:bangban.gunicorn_conf``).

The server runs with ``--preload``: the master imports the application once and forks the
workers, which share its memory copy-on-write (each worker's PSS is about two thirds of its
RSS; docs/operations.md §9.2). ``when_ready`` (in the master, after the application is
loaded and before the first fork) also makes sure the catalogue search's dictionaries are on
disk (``bangban/catalogue/lexicon.py``: written by a separate process the first time, so
neither the master nor a worker ever holds jieba's word list or pypinyin's phrase table) and
imports jieba (its small HMM model, shared by the workers). It opens no file of the
dictionaries, no database connection, cache or socket: the workers open their own.

``gc.freeze()`` then moves everything loaded so far out of the collector's sight, so that
collections in the workers do not write to (and so copy) those shared pages.
"""

from __future__ import annotations

import gc
import logging


def when_ready(server) -> None:
    try:
        from bangban.catalogue import lexicon  # no Django: also loads without --preload

        lexicon.ensure()
        lexicon.import_jieba()
    except Exception:  # the workers then make or load them at their first search
        logging.getLogger("bangban").exception("搜索词典准备失败，由各 worker 首次搜索时处理")
    gc.freeze()
