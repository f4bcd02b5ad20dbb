import pytest

from . import factories


@pytest.fixture
def county(db):
    return factories.county()


@pytest.fixture
def town(county):
    return factories.town(county)


@pytest.fixture
def dept(county):
    return factories.department(county)
