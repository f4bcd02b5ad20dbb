"""The forms an event issues are named by its row in the state table, and only there."""

from bangban.cases.transitions import TRANSITIONS
from bangban.documents.kinds import KINDS


def test_every_form_an_event_issues_is_named_by_its_row_and_no_other_kind_is():
    issued_by_rows = {t.issues for t in TRANSITIONS if t.issues}
    issued_by_events = {str(kind) for kind, info in KINDS.items() if not info.on_demand}
    assert issued_by_rows == issued_by_events
