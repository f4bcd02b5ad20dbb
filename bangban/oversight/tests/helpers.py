"""Cases in a known state for oversight tests, built through the one write path."""

from datetime import date, datetime, time
from unittest.mock import patch
from zoneinfo import ZoneInfo

from django.utils import timezone

from bangban.cases.tests.helpers import SIGNED, act, finish_items, open_case, to_handling

ZONE = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 10):
    """Patch the clock to ``day`` at ``hour`` (local) for a ``with`` block."""
    moment = timezone.make_aware(datetime.combine(day, time(hour)), ZONE)
    return patch("django.utils.timezone.now", return_value=moment)


def liaisons(world):
    return {"SCJG": world.liaison_market, "ZJ": world.liaison_housing}


def completed_case(world, *, agent=None, items=None, on: date | None = None, accepted=None):
    """A case accepted on ``accepted`` and completed on ``on`` (both default today)."""
    agent = agent or world.agent_a
    if accepted is not None:
        with at(accepted):
            case = open_case(world, agent=agent, items=items)
            to_handling(case, agent)
    else:
        case = open_case(world, agent=agent, items=items)
        to_handling(case, agent)
    if on is not None:
        with at(on):
            finish_items(case, agent, liaisons(world))
            act(case, agent, "complete", confirmation=SIGNED)
    else:
        finish_items(case, agent, liaisons(world))
        act(case, agent, "complete", confirmation=SIGNED)
    case.refresh_from_db()
    return case
