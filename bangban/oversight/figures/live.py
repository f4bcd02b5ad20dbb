"""The version of what the figures count live: consultations and complaints.

The roll-up holds the case and evaluation figures; consultations and complaints are
counted from their rows on every view. Saving or deleting one bumps its table's change
counter (``cases.changes``, in the same transaction as the write), so what a view counted
from them can be kept under the counters' values (``rollup.remembered`` with ``live``):
the next save is a new key. Their rows are written one at a time by the services
(``consultations.services``, ``records.services``); a bulk write (``QuerySet.update``)
sends no signal and must bump the counter itself.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from bangban.cases import changes

# the source of a figure (``definitions.Metric.source``) → the counter of its table
COUNTERS = {"consultations": "consultations", "complaints": "complaints"}


@receiver(post_save, sender="consultations.Consultation")
@receiver(post_delete, sender="consultations.Consultation")
def _consultation_changed(sender, raw=False, **kwargs) -> None:
    if not raw:
        changes.bump(named=[COUNTERS["consultations"]])


@receiver(post_save, sender="oversight.Complaint")
@receiver(post_delete, sender="oversight.Complaint")
def _complaint_changed(sender, raw=False, **kwargs) -> None:
    if not raw:
        changes.bump(named=[COUNTERS["complaints"]])
