import pytest


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """The offline station is about its service worker: allowed here (blocked elsewhere,
    see the project's conftest.py)."""
    return {**browser_context_args, "service_workers": "allow"}
