"""The moment a change happens: now, unless a backdated load says when.

A change normally happens now. A load of past changes (the demo, an import of old
records) says when each one happened: ``case_submit(..., at=moment)`` and
``case_transition(..., at=moment)``, or ``with clock.at(moment):`` around other services.
For that call everything the change reads and writes uses the moment: the event's time,
"today" for due dates, pauses and form dates, ``closed_at``, ``accepted_on``, and the
``auto_now``/``auto_now_add`` times of the rows it writes. Nothing patches
``django.utils.timezone.now``; code that must honour a backdated moment reads ``now()`` or
``today()`` here instead. Outside such a call they are ``timezone.now()`` and its local day.

The moment lives in a context variable, so it belongs to this call only (not to other
threads or requests) and nests: a call without ``at=`` inside a backdated one keeps the
outer moment.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime

from django.db import models
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

_moment: ContextVar[datetime | None] = ContextVar("bangban_moment", default=None)


def now() -> datetime:
    """The moment of the change under way: its backdated moment, else ``timezone.now()``."""
    return _moment.get() or timezone.now()


def today() -> date:
    """The county's day of ``now()``."""
    return timezone.localdate(now())


def backdated() -> bool:
    return _moment.get() is not None


@contextmanager
def at(moment: datetime | None) -> Iterator[datetime]:
    """Everything inside happens at ``moment`` (an aware datetime); None: as outside."""
    if moment is None:
        yield now()
        return
    if timezone.is_naive(moment):
        raise ValueError("a backdated moment must carry its time zone")
    token = _moment.set(moment)
    try:
        yield moment
    finally:
        _moment.reset(token)


def backdatable(function):
    """Run ``function`` at the moment of its ``at=`` keyword (see ``at``)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with at(kwargs.get("at")):
            return function(*args, **kwargs)

    return wrapper


def restamp(queryset) -> None:
    """Give rows just written the backdated moment in their ``auto_now``/``auto_now_add``
    fields, which Django fills from the real clock (needed after ``bulk_create``; single
    saves are restamped by the receiver below). Does nothing when nothing is backdated."""
    moment = _moment.get()
    if moment is None:
        return
    values = _auto_values(queryset.model, moment, created=True)
    if values:
        queryset.update(**values)


def _auto_values(model, moment: datetime, *, created: bool) -> dict:
    """The ``auto_now`` (and, for a new row, ``auto_now_add``) fields at ``moment``."""
    return {
        f.attname: moment if isinstance(f, models.DateTimeField) else timezone.localdate(moment)
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or (created and getattr(f, "auto_now_add", False))
    }


@receiver(post_save, dispatch_uid="bangban.cases.clock.restamp")
def _restamp_saved(sender, instance, created, raw=False, **kwargs) -> None:
    moment = _moment.get()
    if moment is None or raw:
        return
    values = _auto_values(sender, moment, created=created)
    if values:
        sender._base_manager.filter(pk=instance.pk).update(**values)
        for name, value in values.items():
            setattr(instance, name, value)
