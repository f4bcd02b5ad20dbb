"""The benchmarks: the workshop, kept out of the ``bangban`` package (and its wheel).

- ``python -m bench`` (``make bench``): the working-day clock, the write path and the staff
  case list on a throw-away SQLite database;
- ``python -m bench.dashboard [cases]``: the oversight dashboard on a large year;
- ``python -m bench.scale`` (``make bench-scale``): the whole platform on PostgreSQL, Redis
  and gunicorn under HTTP load.

All three load the demo world and bulk-insert cases with the one loader, ``bench.loader``.
Results go in docs/BENCHMARKS.md.
"""

import os
import tempfile


def throwaway_django(prefix: str) -> None:
    """Set Django up on a throw-away data directory and database, migrated: SQLite, or the
    PostgreSQL named by BANGBAN_BENCH_DATABASE_URL. A real installation is never touched."""
    os.environ["BANGBAN_DATA_DIR"] = tempfile.mkdtemp(prefix=prefix)
    os.environ["BANGBAN_DATABASE_URL"] = os.environ.get("BANGBAN_BENCH_DATABASE_URL", "")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangban.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
