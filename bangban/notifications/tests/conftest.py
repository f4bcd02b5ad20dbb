import pytest

from bangban.notifications import outbox


@pytest.fixture
def no_delivery_on_commit(monkeypatch):
    """Keep messages queued after commit (huey runs tasks in-process under pytest)."""
    calls = []
    monkeypatch.setattr(outbox, "schedule_delivery", lambda: calls.append(1))
    return calls


@pytest.fixture
def gateway():
    from .gateway import FakeGateway

    fake = FakeGateway()
    yield fake
    fake.close()
