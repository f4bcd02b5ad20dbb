"""The scale profile's report (``bench.scale``): every page as a share of the ceiling measured
in the same run, the median of repeated runs, and the workers' memory from /proc."""

import math

import pytest

from bench.scale.__main__ import (
    median_row,
    ratio_text,
    repeats_for,
    size_line,
    table,
    with_ratios,
)
from bench.scale.pages import CEILING
from bench.scale.servers import children_of, vm_rss, worker_memory, worker_pss


def _row(page, per_second, *, p50=10.0, errors=0, queries=None, load=1.0):
    return {
        "page": page,
        "alone_p50_ms": 5.0,
        "per_second": per_second,
        "p50_ms": p50,
        "p95_ms": p50 * 2,
        "requests": int(per_second * 12),
        "errors": errors,
        "error_sample": ["boom"] * errors,
        "load": load,
        "queries": queries,
    }


def _run(rows, *, cases=100_000, repeat=2):
    ceiling = rows[0]["per_second"]
    return {
        "cases": cases,
        "rows": with_ratios(rows, ceiling),
        "ceiling_per_second": ceiling,
        "worker_rss_bytes": [80 * 2**20, 96 * 2**20],
        "workers": 2,
        "load_low": 1.9,
        "load_high": 3.4,
        "concurrency": 8,
        "seconds": 12.0,
        "repeat": repeat,
        "pool": "1,2",
    }


def test_at_100k_each_page_is_run_twice_and_above_once_unless_asked():
    assert [repeats_for(n, None) for n in (2_000, 100_000, 100_001, 1_000_000)] == [2, 2, 1, 1]
    assert repeats_for(1_000_000, 3) == 3 and repeats_for(2_000, 0) == 1


def test_the_median_of_the_runs_is_reported_with_every_error_and_the_highest_load():
    runs = [
        _row("p", 50.0, p50=30, errors=1, queries=12, load=2.0),
        _row("p", 60.0, p50=20, queries=14, load=3.0),
        _row("p", 40.0, p50=40, errors=2, queries=12, load=1.0),
    ]
    row = median_row(runs)
    assert (row["per_second"], row["p50_ms"], row["p95_ms"]) == (50.0, 30, 60)
    assert row["errors"] == 3 and row["load"] == 3.0 and row["queries"] == 14
    assert row["runs_per_second"] == [50.0, 60.0, 40.0]
    assert median_row(runs[:2])["per_second"] == 55.0  # two runs: their mean


def test_every_page_is_a_share_of_the_ceiling_of_the_same_run():
    rows = with_ratios([_row(CEILING, 4193.0), _row("healthz", 2125.0)], 4193.0)
    assert rows[0]["ceiling_ratio"] == 1.0
    assert rows[1]["ceiling_ratio"] == pytest.approx(0.5068, abs=1e-4)
    assert math.isnan(with_ratios([_row("x", 5.0)], 0.0)[0]["ceiling_ratio"])


@pytest.mark.parametrize(
    "ratio, text",
    [(1.0, "1.00"), (0.5068, "0.51"), (0.0126, "0.013"), (0.0006, "0.00060"), (0.0, "–")],
)
def test_a_share_of_the_ceiling_shows_two_significant_figures(ratio, text):
    assert ratio_text(ratio) == text


def test_the_table_has_the_ratio_and_the_queries_column_only_when_counted():
    counted = table([_run([_row(CEILING, 4000.0, queries=0), _row("home", 52.0, queries=12)])])
    lines = counted.splitlines()
    assert lines[0] == "| page | cases | req/s | × ceiling | p50 | p95 | alone | queries | errors |"
    assert lines[1].count("---") == 9
    assert lines[3] == "| home | 100,000 | 52.0 | 0.013 | 10 ms | 20 ms | 5 ms | 12 | 0 |"
    plain = table([_run([_row(CEILING, 4000.0), _row("home", 52.0)])]).splitlines()
    assert "queries" not in plain[0] and plain[3].endswith("| 5 ms | 0 |")


def test_each_size_names_its_ceiling_the_workers_memory_and_the_load():
    line = size_line(_run([_row(CEILING, 4193.0)]))
    assert line.startswith("- 100,000 cases: ceiling 4,193 req/s; 2 gunicorn workers")
    assert "80, 96 MB" in line and "load average 1.9–3.4" in line
    assert "median of 2 runs" in line and "pool 1,2" in line


def test_worker_memory_is_the_resident_size_of_the_masters_children(tmp_path):
    def process(pid, parent, name, rss_kb):
        folder = tmp_path / str(pid)
        folder.mkdir()
        (folder / "stat").write_text(f"{pid} ({name}) S {parent} 1 1 0 -1\n")
        (folder / "status").write_text(f"Name:\t{name}\nVmRSS:\t  {rss_kb} kB\nThreads:\t1\n")
        (folder / "smaps_rollup").write_text(f"Rss:  {rss_kb} kB\nPss:  {rss_kb // 2} kB\n")

    process(100, 1, "gunicorn: master", 40_000)
    process(101, 100, "gunicorn: worker (a) b", 81_920)
    process(102, 100, "gunicorn", 98_304)
    process(200, 1, "postgres", 10)
    (tmp_path / "self").mkdir()
    assert children_of(100, tmp_path) == [101, 102]
    assert worker_memory(100, tmp_path) == [80 * 2**20, 96 * 2**20]
    assert worker_pss(100, tmp_path) == [40 * 2**20, 48 * 2**20]
    assert vm_rss("Name:\tx\n") == 0


def test_a_row_takes_the_time_alone_and_the_sql_count_from_python_and_the_load_from_wrk():
    from bench.scale.__main__ import row_of
    from bench.scale.traffic import Result
    from bench.scale.wrk import WrkResult

    alone = Result(
        page="p",
        concurrency=1,
        seconds=5.0,
        latencies=[0.010, 0.020, 0.030],
        errors=["POST /track/: 200"],
        load_before=1.0,
        load_after=1.5,
        queries=[8, 9, 8],
    )
    loaded = WrkResult(
        requests=1200,
        seconds=12.0,
        p50_ms=40.0,
        p95_ms=70.0,
        errors=2,
        sample=["status 500"],
        requests_per_visit=2,
        load=2.5,
    )
    row = row_of("track", alone, loaded)
    assert row["per_second"] == 50.0 and (row["p50_ms"], row["p95_ms"]) == (40.0, 70.0)
    assert row["alone_p50_ms"] == 20.0 and row["queries"] == 9 and row["load"] == 2.5
    assert row["requests"] == 1203 and row["errors"] == 3
    assert row["error_sample"] == ["POST /track/: 200", "status 500"]
