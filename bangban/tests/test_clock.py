"""Finding 11: a test that depends on today says which today it means, and the whole suite
can be run on another day (``BANGBAN_TEST_TODAY``, ``make test-clock``)."""

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from django.utils import timezone

from bangban.testing import travel_to

ROOT = Path(__file__).resolve().parents[2]


def test_finding_11_travel_to_moves_every_clock_a_test_reads():
    with travel_to(date(2027, 1, 4)):
        assert timezone.localdate() == date(2027, 1, 4)
        assert date.today() == date(2027, 1, 4)
        assert timezone.localtime().hour == 10
    with travel_to(date(2026, 12, 31), hour=23):  # late evening: still the 31st in the county
        assert timezone.localdate() == date(2026, 12, 31)


def test_finding_11_the_oversight_tests_run_on_their_own_today():
    from bangban.oversight.tests.conftest import OVERSIGHT_TODAY

    assert OVERSIGHT_TODAY == date(2026, 11, 22)  # what their known answers were written for


def test_finding_11_the_whole_suite_can_be_moved_to_another_day(tmp_path):
    probe = tmp_path / "test_probe.py"
    probe.write_text(
        "from datetime import date\n"
        "from django.utils import timezone\n"
        "def test_today():\n"
        "    assert timezone.localdate() == date(2027, 1, 4)\n"
        "    assert date.today() == date(2027, 1, 4)\n"
    )
    # the project's root conftest, as the probe lies outside the project
    (tmp_path / "conftest.py").write_text((ROOT / "conftest.py").read_text())
    env = {**os.environ, "BANGBAN_TEST_TODAY": "2027-01-04"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--rootdir",
            str(tmp_path),
            "-c",
            str(ROOT / "pyproject.toml"),
            str(probe),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
