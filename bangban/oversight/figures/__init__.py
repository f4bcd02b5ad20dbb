"""The oversight figures: the metric definitions, live counting and the daily roll-up, and
the dashboard, breakdowns, lists and monthly reports that show them.

``definitions`` → ``rollup`` → ``facts`` → ``metrics``: what each figure counts, the
daily roll-up built from the same definitions, the per-case facts (which mark roll-up days
to count again), and the figures as read (rolled days plus days counted live).

Fed by a job (``jobs.py``): the changes not yet counted (``UncountedChange``, written by
``subscribers.py`` in each change's transaction) are claimed the way the notifications'
outbox is, and the facts and the roll-up brought up to date. A page only reads: a GET
never writes. The figures may import the records (``bangban.oversight.records``); the
records never import the figures (``.importlinter``, contract ``oversight``).
"""
