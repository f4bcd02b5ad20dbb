"""The oversight tests count cases of October and November 2026 against known answers, so
they run on the day those answers were written for: Sunday 22 November 2026, 10:00 in
the county (``frozen_today``). Cases a test makes "today" are then made on that day,
whatever the machine's date."""

from datetime import date

import pytest

from bangban.testing import travel_to

OVERSIGHT_TODAY = date(2026, 11, 22)


@pytest.fixture(autouse=True)
def frozen_today():
    with travel_to(OVERSIGHT_TODAY):
        yield OVERSIGHT_TODAY
