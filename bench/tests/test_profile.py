"""The profiler's split of a request's time: each part counted once, exclusively."""

from bench.profile import Stopwatch


class Ticks:
    """A clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_query_run_from_a_template_counts_as_sql_not_template():
    clock = Ticks()
    watch = Stopwatch(clock)
    clock.now = 1.0  # the view
    watch.enter("template")
    clock.now = 3.0
    watch.enter("sql")
    clock.now = 6.0
    watch.leave()
    clock.now = 10.0
    watch.leave()
    clock.now = 15.0
    assert watch.stop() == {"python": 6.0, "template": 6.0, "sql": 3.0}


def test_nested_compilers_are_counted_once_and_the_parts_add_up_to_the_whole():
    clock = Ticks()
    watch = Stopwatch(clock)
    watch.enter("build")
    clock.now = 2.0
    watch.enter("build")  # a subquery's compiler inside the outer one
    clock.now = 5.0
    watch.leave()
    clock.now = 7.0
    watch.leave()
    parts = watch.stop()
    assert parts == {"build": 7.0, "python": 0.0}
    assert sum(parts.values()) == clock.now
