"""What an editor's save costs the database: query budgets for the admin's write paths.

Each concern is visited once on the way from the form to the database (one validation, one
version check, one UPDATE of the row, one move of the content version), so a save costs a few
dozen queries: 79 before issue 19, when the figures were kept write by write and the rules ran
twice.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.forms import form_data
from tracker.models import Basis, Commitment, Status

CHANGELIST = "/admin/tracker/commitment/"
UPDATE = {
    "as_of": "2026-03-01",
    "note": "Ministers endorsed the work plan.",
    "evidence_url": "https://example.org/work-plan",
    "basis": Basis.SECRETARIAT_VERIFIED,
}


def _queries(client, url: str, data: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return len(queries)


def _commitment() -> Commitment:
    """A commitment as the fixture's are: two themes, a partner, an earlier update."""
    commitment = factories.make_commitment(
        themes=[factories.make_theme(), factories.make_theme()],
        partners=[factories.make_actor()],
    )
    commitment.record_update(status=Status.NOT_STARTED, note="Not yet.", **_dated("2026-02-01"))
    return commitment


def _dated(as_of: str) -> dict:
    return {"as_of": as_of, "basis": Basis.SELF_REPORTED}


def test_an_admin_save_of_a_status_change_costs_at_most_40_queries(admin_client, db):
    commitment = _commitment()
    url = f"{CHANGELIST}{commitment.pk}/change/"
    data = form_data(admin_client, url, "commitment_form", new_status=Status.IN_PROGRESS, **UPDATE)

    assert _queries(admin_client, url, data) <= 40
    commitment.refresh_from_db()
    assert commitment.status == Status.IN_PROGRESS


@pytest.mark.parametrize("selected", [1, 10])
def test_a_bulk_status_change_costs_a_few_queries_per_commitment(admin_client, db, selected):
    commitments = [_commitment() for _ in range(selected)]
    data = {
        "action": "change_status",
        "_selected_action": [c.pk for c in commitments],
        "apply": "Record",
        **{f"version-{c.pk}": c.version for c in commitments},
        "status": Status.IN_PROGRESS,
        "is_public": "on",
        **UPDATE,
    }

    # The selection, the form and the content version once; then per commitment its locked
    # row, its chain's latest update, the update written and the row updated; at the end the
    # search documents of them all, in seven queries (tracker.search_index.reindex()).
    assert _queries(admin_client, CHANGELIST, data) <= 18 + 7 + 4 * selected
    assert set(Commitment.objects.values_list("status", flat=True)) == {Status.IN_PROGRESS}


@pytest.mark.parametrize("members", [3, 11])
def test_the_member_grid_costs_a_few_queries_per_member(admin_client, db, members):
    _group, states, (commitment,) = factories.make_scorecard(members=members, commitments=1)
    data = {
        "version": str(commitment.version),
        "is_public": "on",
        **UPDATE,
        **{f"status-{state.slug}": Status.COMPLETED for state in states},
    }

    # The form, the commitment and its members' rows once; then per member its chain's latest
    # update, that member's existence, the update written and its row updated; at the end the
    # commitment's search document, once, in seven queries (tracker.search_index.reindex()).
    url = f"{CHANGELIST}{commitment.pk}/members/"
    assert _queries(admin_client, url, data) <= 12 + 7 + 4 * members
    commitment.refresh_from_db()
    assert commitment.status == Status.COMPLETED
