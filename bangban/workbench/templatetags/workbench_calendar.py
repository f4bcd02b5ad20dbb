"""Deadlines counted without the year's holidays: the warning beside them on the case page."""

from django import template

from bangban.cases.workflow import OPEN
from bangban.workdays.services import deadline_warnings

register = template.Library()


@register.inclusion_tag("workbench/case/_calendar_warning.html")
def case_deadline_warnings(case, deadline=None):
    """A warning for each year, among the years of an open case's deadlines (due date,
    supplement and resumption deadlines), whose holidays are not yet entered: the
    deadline was counted by the weekend rule (``workdays.services.deadline_warnings``)."""
    if case.state not in OPEN:
        return {"warnings": []}
    due_on = deadline.due_on if deadline is not None else case.due_on
    return {"warnings": deadline_warnings(due_on, case.supplement_due_on, case.resumption_due_on)}
