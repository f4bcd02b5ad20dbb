"""The indexes the scale profile relies on match the queries they serve."""

from bangban.cases.models import Case
from bangban.cases.workflow import CLOCK_RUNNING_STATES


def test_the_running_cases_index_covers_exactly_the_clock_running_states():
    # near_or_past_due filters on CLOCK_RUNNING_STATES; PostgreSQL uses the partial index
    # only when the query's states imply its condition, and a wider condition wastes it
    (index,) = [i for i in Case._meta.indexes if i.name == "case_running_due_idx"]
    (lookup, states) = index.condition.children[0]
    assert lookup == "state__in"
    assert set(states) == {str(s) for s in CLOCK_RUNNING_STATES}


def test_the_agents_open_cases_index_covers_exactly_the_open_states():
    # my_cases (the agent's home) filters on OPEN and orders by due_on, created_at, id
    from bangban.cases.workflow import OPEN

    (index,) = [i for i in Case._meta.indexes if i.name == "case_agent_open_due_idx"]
    (lookup, states) = index.condition.children[0]
    assert lookup == "state__in"
    assert set(states) == {str(s) for s in OPEN}
    assert index.fields == ["agent", "due_on", "created_at", "id"]
