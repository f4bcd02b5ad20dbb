"""Project-wide test set-up.

pytest exits with status 5 when it collected no test; `make test` treats that as failure
because a suite that ran nothing proves nothing.
"""

import pytest


def pytest_sessionfinish(session, exitstatus):
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


pytest_plugins = ["bangban.testing"]
