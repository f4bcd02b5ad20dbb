"""A query built once per process answers what its queryset answers, for any values."""

import pytest
from django.db.models import Exists, OuterRef

from bangban.cases.models import Case
from bangban.cases.tests.helpers import open_case
from bangban.sqlonce import BuiltOnce

pytestmark = pytest.mark.django_db


def test_built_once_answers_what_the_queryset_answers_for_each_value(world):
    cases = [open_case(world), open_case(world, service_type="assist")]
    by_number = BuiltOnce(
        lambda number: Case.objects.filter(number=number).values_list("pk", "service_type"),
        "X",
    )
    for case in cases:
        expected = list(Case.objects.filter(number=case.number).values_list("pk", "service_type"))
        assert by_number.rows(case.number) == expected
    assert by_number.rows("no such number") == []


def test_a_constant_of_the_query_is_kept_and_the_values_bound(world):
    case = open_case(world)
    # EXISTS(SELECT 1 …) and the state are constants of the query, the number its value
    once = BuiltOnce(
        lambda number: Case.objects.filter(number=number, state=case.state).values_list(
            Exists(Case.objects.filter(pk=OuterRef("pk")))
        ),
        "X",
    )
    assert [bool(v) for (v,) in once.rows(case.number)] == [True]
    assert once.rows("no such number") == []


def test_a_value_derived_from_the_values_at_build_time_is_refused(world):
    # the query holds number + "-V2", not the number: keeping that SQL would be wrong
    derived = BuiltOnce(lambda number: Case.objects.filter(number=number + "-V2").values("pk"), "X")
    with pytest.raises(ValueError):
        derived.rows("A")


def test_the_number_of_values_is_checked(world):
    once = BuiltOnce(lambda pk: Case.objects.filter(pk=pk).values("pk"), 1)
    with pytest.raises(TypeError):
        once.rows(1, 2)
