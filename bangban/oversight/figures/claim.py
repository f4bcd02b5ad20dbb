"""The figures' claim: whoever writes the per-case facts or the daily roll-up holds it.

The claim is a row lock on the one ``FactState`` row, held until the writer's transaction
ends. One claim for both, because they feed each other: the facts mark the roll-up days
to count again, and the roll-up counts those days from the facts. Two writers side by side
could store the older of two answers for a case last, or rebuild a day from facts not yet
committed and clear the mark the new ones left. The figures job takes the claim with
``SKIP LOCKED`` and leaves at once when another worker holds it (``jobs.py``); a run by
hand (the nightly comparison, ``oversight_facts``, the demo) waits for it.
"""

from __future__ import annotations

from django.db import transaction

from ..models import FactState


def take(*, wait: bool) -> bool:
    """Take the claim for the current transaction; False if another worker holds it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("统计更新须在事务内进行")
    if not FactState.objects.exists():
        FactState.objects.get_or_create(pk=1)
    held = FactState.objects.select_for_update(skip_locked=not wait).values_list("pk", flat=True)
    return bool(list(held))
