"""The promised limit of a bundle (一件事): the longest path through its dependency graph.

Items of a bundle that do not depend on each other run in parallel; an item starts once
everything it depends on is finished. So the bundle takes as long as its slowest chain of
dependencies, counted in each item's promised working days. Plain Python, no Django, so
the rule is tested on its own (see tests/test_bundles.py).
"""

from collections.abc import Hashable, Iterable

Entry = tuple[Hashable, int, Iterable[Hashable]]


class CycleError(ValueError):
    """The dependencies loop back on themselves; ``cycle`` lists the keys, first = last."""

    def __init__(self, cycle: list[Hashable]):
        self.cycle = cycle
        super().__init__("dependency cycle: " + " -> ".join(map(str, cycle)))


def schedule(entries: Iterable[Entry]) -> dict[Hashable, tuple[int, int]]:
    """(start, finish) in working days from the start of the bundle, for every key.

    Raises ``CycleError`` on a cycle (including an entry depending on itself) and
    ``ValueError`` on a duplicate key, a negative duration or an unknown dependency.
    """
    days: dict[Hashable, int] = {}
    deps: dict[Hashable, tuple[Hashable, ...]] = {}
    for key, duration, depends_on in entries:
        if key in days:
            raise ValueError(f"duplicate key {key!r}")
        if duration < 0:
            raise ValueError(f"negative duration for {key!r}")
        days[key] = duration
        deps[key] = tuple(depends_on)
    for key, depends_on in deps.items():
        for dep in depends_on:
            if dep not in days:
                raise ValueError(f"{key!r} depends on unknown {dep!r}")

    # Iterative depth-first search (no recursion limit on long chains): a node is
    # "open" while we are inside it, so meeting an open node again means a cycle.
    result: dict[Hashable, tuple[int, int]] = {}
    open_nodes: set[Hashable] = set()
    for root in days:
        if root in result:
            continue
        path = [root]
        stack = [iter(deps[root])]
        open_nodes.add(root)
        while stack:
            for dep in stack[-1]:
                if dep in open_nodes:
                    raise CycleError(path[path.index(dep) :] + [dep])
                if dep not in result:
                    open_nodes.add(dep)
                    path.append(dep)
                    stack.append(iter(deps[dep]))
                    break
            else:
                node = path.pop()
                stack.pop()
                open_nodes.discard(node)
                start = max((result[d][1] for d in deps[node]), default=0)
                result[node] = (start, start + days[node])
    return result


def critical_path_days(entries: Iterable[Entry]) -> int:
    """The bundle's promised limit: the finish of the longest dependency chain (0 if empty)."""
    return max((finish for _, finish in schedule(entries).values()), default=0)
