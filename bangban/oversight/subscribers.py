"""How oversight plugs into the case core (``bangban.cases.events``), in two halves.

- the records (``records/subscribers.py``): the ``evaluation_allowed`` guard, and the
  Evaluation of an ``evaluate`` event, written in the event's transaction;
- the figures (``figures/subscribers.py``): an ``UncountedChange`` for every case event
  (and every evaluation that comes to count differently), claimed by the figures job.

Hooked up in ``OversightConfig.ready()``.
"""

from __future__ import annotations

from . import exchange
from .figures import subscribers as figures
from .records import subscribers as records


def subscribe() -> None:
    records.subscribe()
    figures.subscribe()
    exchange.subscribe()  # the 好差评 push, after the records wrote the Evaluation
