"""The figures job's work, as plain functions (``bangban.oversight.tasks`` schedules them;
tests call them).

``count_new_events`` brings the figures up to the changes committed so far, in one
transaction holding the figures' claim (``claim.py``):

1. the working-day table covers the cases' days under the calendar in force (a new
   calendar: every fact and the whole roll-up are counted again);
2. the changes not yet counted (``UncountedChange``, oldest first) are taken a batch at a
   time, their cases' facts recomputed, the roll-up days they count on marked, and the
   batch deleted (``facts``);
3. the daily roll-up rebuilds the marked days and rolls up those that became old enough.

Queued after every commit that left a change, and run every minute for whatever that
missed. On two workers at once, the one that finds the claim taken leaves at once; the
holder looks again after letting go, so a change committed meanwhile is not left waiting
for the next minute. A worker that dies rolls back, and its changes are taken again.
Pages never call it.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from . import claim, facts, rollup


def count_new_events(today: date | None = None) -> int:
    """Count the changes not counted yet and bring the roll-up up to date; return how many
    per-case facts were computed (0 also when another worker holds the claim)."""
    written = 0
    while not (facts.nothing_to_count() and rollup.nothing_to_roll(today)):
        with transaction.atomic():
            if not claim.take(wait=False):
                break  # another worker is counting; it looks again after letting go
            written += facts.count_changes()
            rollup.refresh_rollup(today=today)
    return written


def compare_every_case(today: date | None = None) -> int:
    """The nightly check: every case's fact against its events (a change that reached the
    database some other way), then the roll-up; return how many facts were computed."""
    written = facts.refresh_facts(full=True)
    rollup.refresh_rollup(today=today)
    return written
