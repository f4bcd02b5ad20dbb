"""Every schema the API answers with has a name of its own: the OpenAPI document keeps one
component per name, so two classes of the same name would describe one operation's answer
with another's shape (what schemathesis's conformance check then finds as violations)."""

from collections import defaultdict

from ninja import Schema

import bangban.api  # noqa: F401 (every router and the schemas it names)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_no_two_api_schemas_share_a_name():
    by_name = defaultdict(set)
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("bangban.") and ".tests" not in cls.__module__:
            by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    assert {name: found for name, found in by_name.items() if len(found) > 1} == {}
