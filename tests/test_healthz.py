"""/healthz tells a load balancer whether this instance can reach its database."""

from unittest import mock

from django.db import OperationalError, connection


def test_it_reports_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Content-Type"] == "application/json"


def test_it_reports_503_when_the_database_is_unreachable(client, db):
    with mock.patch.object(
        connection, "cursor", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}


def test_it_makes_exactly_one_database_round_trip(client, db, django_assert_num_queries):
    # SELECT 1, and nothing else.
    with django_assert_num_queries(1):
        client.get("/healthz")


def test_it_never_touches_the_session_of_a_logged_in_user(admin_client, django_assert_num_queries):
    # Still only SELECT 1: the session and the user are not even read.
    with django_assert_num_queries(1):
        response = admin_client.get("/healthz")

    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_it_sets_no_cookie_and_is_never_cached(client, db):
    response = client.get("/healthz")

    assert "Set-Cookie" not in response.headers
    assert "no-store" in response["Cache-Control"]


def test_it_answers_head_requests_from_probes(client, db):
    assert client.head("/healthz").status_code == 200


def test_it_refuses_writes(client, db):
    assert client.post("/healthz").status_code == 405
