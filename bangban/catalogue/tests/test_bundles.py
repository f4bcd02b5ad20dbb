"""The bundle promised limit as a plain function: no database."""

import pytest

from bangban.catalogue.bundles import CycleError, critical_path_days, schedule


def test_an_empty_bundle_takes_no_days():
    assert critical_path_days([]) == 0


def test_independent_items_run_in_parallel():
    assert critical_path_days([("a", 5, []), ("b", 3, []), ("c", 7, [])]) == 7


def test_a_chain_adds_up():
    assert critical_path_days([("a", 1, []), ("b", 5, ["a"]), ("c", 2, ["b"])]) == 8


def test_the_longest_path_wins_over_a_heavier_branch_count():
    # licence(0) → food(5) and drainage(15) → tax(0) after food only
    entries = [
        ("licence", 0, []),
        ("food", 5, ["licence"]),
        ("drainage", 15, ["licence"]),
        ("tax", 1, ["food"]),
    ]
    assert critical_path_days(entries) == 15
    assert schedule(entries)["tax"] == (5, 6)


def test_a_diamond_counts_the_shared_prerequisite_once():
    entries = [("a", 2, []), ("b", 3, ["a"]), ("c", 4, ["a"]), ("d", 1, ["b", "c"])]
    assert critical_path_days(entries) == 7
    assert schedule(entries)["d"] == (6, 7)


def test_entries_may_come_in_any_order():
    assert critical_path_days([("c", 2, ["b"]), ("b", 5, ["a"]), ("a", 1, [])]) == 8


def test_a_cycle_is_refused_and_named():
    with pytest.raises(CycleError) as raised:
        critical_path_days([("a", 1, ["c"]), ("b", 1, ["a"]), ("c", 1, ["b"])])
    cycle = raised.value.cycle
    assert cycle[0] == cycle[-1]
    assert set(cycle) == {"a", "b", "c"}


def test_an_item_depending_on_itself_is_a_cycle():
    with pytest.raises(CycleError):
        critical_path_days([("a", 1, ["a"])])


def test_an_unknown_prerequisite_is_refused():
    with pytest.raises(ValueError, match="unknown"):
        critical_path_days([("a", 1, ["nope"])])


def test_a_long_chain_does_not_hit_the_recursion_limit():
    entries = [(i, 1, [i - 1] if i else []) for i in range(5000)]
    assert critical_path_days(entries) == 5000
