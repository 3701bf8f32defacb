import pytest

from tests import factories


@pytest.fixture
def make_source(db):
    return factories.make_source


@pytest.fixture
def make_actor(db):
    return factories.make_actor


@pytest.fixture
def make_theme(db):
    return factories.make_theme


@pytest.fixture
def make_commitment(db):
    return factories.make_commitment


@pytest.fixture
def admin_user(db):
    """An administrator: a superuser with every permission."""
    return factories.make_user("administrator", is_superuser=True)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client
