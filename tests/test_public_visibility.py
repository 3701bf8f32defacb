"""Drafts and internal notes never reach a public page."""

import datetime

import pytest

from tracker.models import Basis, Status


@pytest.fixture
def draft(make_commitment, make_theme, make_actor):
    commitment = make_commitment(
        slug="secret-draft",
        title="A draft nobody should see",
        is_published=False,
        themes=[make_theme(slug="theme")],
        owner=make_actor(slug="owner"),
    )
    commitment.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 2, 1),
        note="Draft progress note.",
        basis=Basis.SELF_REPORTED,
    )
    return commitment


@pytest.fixture
def internal_note(make_commitment):
    commitment = make_commitment(slug="public-one", title="A public commitment")
    commitment.record_update(
        status=Status.NOT_ASSESSED,  # an internal note keeps the status
        as_of=datetime.date(2026, 2, 1),
        note="Internal: the ministry has not replied.",
        is_public=False,
        basis=Basis.SELF_REPORTED,
    )
    return commitment


def test_a_drafts_url_is_a_404(client, draft):
    assert client.get("/commitments/secret-draft/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/commitments/",
        "/themes/theme/",
        "/actors/owner/",
        "/commitments/?q=draft",
        "/themes/",
        "/actors/",
        "/charts/",
        "/commitments/print/",
    ],
)
def test_drafts_appear_on_no_public_page(client, draft, url):
    html = client.get(url).content.decode()

    assert "A draft nobody should see" not in html
    assert "Draft progress note." not in html
    assert "secret-draft" not in html


@pytest.mark.parametrize("url", ["/", "/commitments/public-one/"])
def test_internal_notes_appear_on_no_public_page(client, internal_note, url):
    html = client.get(url).content.decode()

    assert "the ministry has not replied" not in html


def test_a_draft_is_not_counted_on_the_dashboard(client, draft, make_commitment):
    make_commitment()

    html = client.get("/").content.decode()

    assert "All commitments: 1 commitment: 1 pending." in html
