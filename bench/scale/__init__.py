"""The scale profile: the platform on PostgreSQL, Redis and gunicorn with a city's cases.

``python -m bench.scale`` (``make bench-scale``) loads the demo network, staff and
catalogue and up to millions of bulk-inserted cases into a database of its own
(``bangban_scale``), starts gunicorn in production mode and a huey worker on Redis as real
processes, and drives concurrent HTTP load at the pages people use most. See
``docs/operations.md`` (规模配置) and ``docs/BENCHMARKS.md`` (Scale profile).

- ``bench.loader``: the world and the cases (the loader every benchmark shares);
- ``servers``: PostgreSQL, Redis, gunicorn and the job worker;
- ``pages``: the pages timed and who visits them;
- ``traffic``: logged-in HTTP clients, the pages, and the timing of each alone;
- ``wrk``: the load under which they are timed (wrk, a Lua script per page).
"""
