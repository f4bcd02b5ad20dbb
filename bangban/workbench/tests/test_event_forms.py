"""The workbench's event forms are built from the rows' details schemas (issue 13, item 1)."""

from bangban.cases.transitions import BY_EVENT, TRANSITIONS
from bangban.workbench import events as workbench_events


def test_a_range_and_a_label_come_from_the_rows_schema():
    days = BY_EVENT["request_supplement"].details.model_fields["days"]
    low = next(m.ge for m in days.metadata if hasattr(m, "ge"))
    high = next(m.le for m in days.metadata if hasattr(m, "le"))
    (field,) = workbench_events.EVENT_FORMS["request_supplement"]
    assert (field.low, field.high, field.label) == (low, high, days.title)


def test_every_event_a_person_starts_has_a_form_with_the_schemas_fields():
    for transition in TRANSITIONS:
        if transition.event in workbench_events.NO_EVENT_FORM:
            continue
        shown = workbench_events.EVENT_FIELDS[transition.event]
        assert set(shown) <= set(transition.details.model_fields), transition.event


def test_fields_other_areas_record_are_not_on_any_form():
    assert "document" not in workbench_events.EVENT_FIELDS["note"]
    assert "kind" not in workbench_events.EVENT_FIELDS["remind"]


def test_a_choice_reads_in_chinese():
    (reason, *_) = workbench_events.EVENT_FORMS["suspend"]
    assert reason.widget == "select" and reason.required
    assert ("fees_unpaid", "未及时缴纳行政事业性收费") in reason.choices
