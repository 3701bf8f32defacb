"""While the database is unreachable, pages answer 503 with Retry-After, not 500."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client

from tests.production import production_env, run


@pytest.fixture
def visitor():
    # Let the error handler answer, as in production, instead of re-raising into the test.
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_page_answers_503_while_the_database_is_down(visitor, db, error):
    with mock.patch.object(connection, "cursor", side_effect=error("connection refused")):
        response = visitor.get("/commitments/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    assert "Temporarily unavailable" in response.content.decode()
    assert "connection refused" not in response.content.decode()


def test_any_other_error_is_still_a_500(visitor, db):
    with mock.patch.object(connection, "cursor", side_effect=ZeroDivisionError):
        response = visitor.get("/commitments/")

    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "Something went wrong" in response.content.decode()


SCRIPT = """
import json
import django
django.setup()
from django.test import Client

client = Client(raise_request_exception=False)
seen = {}
for url in ["/", "/commitments/", "/sitemap.xml", "/healthz"]:
    response = client.get(url, secure=True)
    seen[url] = {"status": response.status_code, "retry": response.get("Retry-After")}
print(json.dumps(seen))
"""


def test_in_production_an_unreachable_postgresql_gives_503_everywhere():
    # Port 9 on loopback: nothing listens, so the connection is refused at once.
    env = production_env(DATABASE_URL="postgres://tracker:secret@127.0.0.1:9/tracker")
    result = run("-c", SCRIPT, env=env)

    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.splitlines()[-1])
    assert seen["/"] == {"status": 503, "retry": "30"}
    assert seen["/commitments/"] == {"status": 503, "retry": "30"}
    assert seen["/sitemap.xml"]["status"] == 503
    assert seen["/healthz"]["status"] == 503
