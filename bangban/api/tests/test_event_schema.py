"""The API's event body is derived from the state table (issue 13, item 1): ``event`` is
an enum, each event has its own details schema, and nothing is written twice."""

from bangban.api import api
from bangban.cases.details import recorded_by_others
from bangban.cases.transitions import BY_EVENT, TRANSITIONS


def _schema():
    return api.get_openapi_schema()


def test_the_api_event_body_names_every_row_and_gives_each_its_own_details_schema():
    schema = _schema()
    body = schema["paths"]["/api/cases/{number}/events"]["post"]["requestBody"]
    union = body["content"]["application/json"]["schema"]
    mapping = union["discriminator"]["mapping"]
    assert union["discriminator"]["propertyName"] == "event"
    assert set(mapping) == {t.event for t in TRANSITIONS}
    components = schema["components"]["schemas"]
    for event, ref in mapping.items():
        variant = components[ref.rsplit("/", 1)[-1]]
        assert variant["properties"]["event"]["const"] == event
        details_ref = (
            variant["properties"]["details"].get("$ref")
            or (variant["properties"]["details"]["allOf"][0]["$ref"])
        )
        details = components[details_ref.rsplit("/", 1)[-1]]
        wanted = {
            name
            for name, info in BY_EVENT[event].details.model_fields.items()
            if not recorded_by_others(info)
        }
        assert set(details.get("properties", {})) == wanted, event
    # the allowed events a case offers name the same enum
    allowed = components["AllowedEvent"]["properties"]["event"]
    names = components[allowed["$ref"].rsplit("/", 1)[-1]]["enum"]
    assert sorted(names) == sorted(t.event for t in TRANSITIONS)


def test_fields_recorded_by_other_areas_cannot_be_sent_by_a_caller():
    components = _schema()["components"]["schemas"]
    assert "sms_code_id" not in components["Signature"]["properties"]
    assert "document" not in components["Note"]["properties"]


def test_a_range_in_the_api_schema_is_the_one_the_row_declares():
    days = BY_EVENT["request_supplement"].details.model_fields["days"]
    low = next(m.ge for m in days.metadata if hasattr(m, "ge"))
    high = next(m.le for m in days.metadata if hasattr(m, "le"))
    api_days = _schema()["components"]["schemas"]["SupplementRequest"]["properties"]["days"]
    assert (api_days["minimum"], api_days["maximum"]) == (low, high)
