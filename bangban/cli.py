"""``bangban``: the operators' command, a thin wrapper over ``manage.py``.

bangban serve [addr:port]   run the web server (development server in embedded mode,
                            gunicorn with --gunicorn)
bangban migrate             apply database migrations
bangban demo                load the demo data if the database is empty
bangban audit verify        check every case's timeline, its row and the newest checkpoint
bangban audit checkpoint    record (and with --export, sign and write) every case's head
bangban audit rechain       re-seal timelines with the current suite and key (resumable)
bangban pii_rekey           re-encrypt personal data with the current suite and key
bangban pii_erase           erase a case's or client's delivery details and form answers (crypto-shredding)
bangban jobs                run the background job worker (huey)
bangban <any manage.py command>
"""

import os
import sys

ALIASES = {"serve": "runserver", "jobs": "run_huey"}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangban.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return
    if args[0] == "serve" and "--gunicorn" in args:
        _serve_gunicorn([a for a in args[1:] if a != "--gunicorn"])
        return
    args[0] = ALIASES.get(args[0], args[0])
    from django.core.management import execute_from_command_line

    execute_from_command_line(["bangban", *args])


def gunicorn_command(extra: list[str], environ: dict[str, str]) -> list[str]:
    """gunicorn's command line for ``bangban serve --gunicorn [addr:port]`` (docs/operations.md
    9.2). The master loads the application (``--preload``) and the search's dictionaries
    (``bangban/gunicorn_conf.py``) once, and the workers share them. Each worker is recycled
    after about ``BANGBAN_WEB_MAX_REQUESTS`` requests (10 000, ±10 % so that the workers do
    not restart together; 0: never), a guard against slow growth; a new worker is a fork of
    the master, so it starts at once."""
    bind = extra[0] if extra else "127.0.0.1:8000"
    max_requests = int(environ.get("BANGBAN_WEB_MAX_REQUESTS") or "10000")
    return [
        "gunicorn",
        "bangban.wsgi:application",
        "--bind",
        bind,
        "--workers",
        environ.get("BANGBAN_WEB_WORKERS") or "3",
        "--preload",
        "--config",
        "python:bangban.gunicorn_conf",
        "--max-requests",
        str(max_requests),
        "--max-requests-jitter",
        str(max_requests // 10),
        "--access-logfile",
        "-",
    ]


def _serve_gunicorn(extra: list[str]) -> None:
    os.execvp("gunicorn", gunicorn_command(extra, dict(os.environ)))


if __name__ == "__main__":
    main()
