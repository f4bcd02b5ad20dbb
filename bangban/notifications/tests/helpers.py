"""A clock tests can set and move (``timezone.now``; ``localdate`` follows it)."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone


class Clock:
    def __init__(self, monkeypatch, day: date, at: time = time(10, 0)):
        self.now = timezone.make_aware(datetime.combine(day, at))
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, day: date, at: time = time(10, 0)) -> None:
        self.now = timezone.make_aware(datetime.combine(day, at))

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)

    @property
    def today(self) -> date:
        return timezone.localdate(self.now)


def template_row(key: str):
    """The editable row of a template (re-made from the default if a flush removed it:
    transactional tests elsewhere empty every table, data migrations' rows included)."""
    from bangban.notifications import catalog
    from bangban.notifications.models import MessageTemplate

    spec = catalog.spec(key)
    return MessageTemplate.objects.get_or_create(
        key=key, defaults={"subject": spec.subject, "body": spec.body}
    )[0]
