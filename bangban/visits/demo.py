"""Demo data of the visits area: window time slots for the next two weeks at every site.

``load(county)`` is the last of the ``demo`` command's loaders (``FURTHER_LOADERS``); it
only opens slots, so it can also be run on its own.
"""

from datetime import timedelta

from django.utils import timezone

from bangban.network.models import Site
from bangban.workdays.services import current_calendar

from . import services as booking


def load(county=None) -> dict[str, int]:
    calendar = current_calendar()
    today = timezone.localdate()
    opened = 0
    for site in Site.objects.filter(is_active=True):
        capacity = 3 if site.level == "county" else 2
        for offset in range(1, booking.BOOKABLE_DAYS + 1):
            day = today + timedelta(days=offset)
            if calendar.is_workday(day):
                slots = booking.slots_open(
                    site=site, day=day, times=booking.OPENING_SLOTS, capacity=capacity
                )
                opened += len(slots)
    return {"slots": opened}
