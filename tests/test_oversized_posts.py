"""A form posted over its fields' limits comes back with the error and the text kept; a post
too large to read gets a page saying what happened, in the admin's look (docs/data.md,
"Length limits")."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import models
from django.test import Client
from django.utils.html import escape

from tracker.models import Basis, Commitment, Source, Status, StatusUpdate

# Bytes a character can take in a post: UTF-8 in multipart/form-data; each UTF-8 byte written
# as "%XX" in a urlencoded form.
MULTIPART_BYTES = 4
URLENCODED_BYTES = 3 * 4
# A group as large as ASEAN and then some, for the member grid's notes.
MEMBERS = 20


def _text_capacity(model) -> int:
    """The most characters a form can hold in `model`'s text fields, within their limits."""
    return sum(
        field.max_length
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField) and field.editable
    )


def test_the_upload_limit_is_well_above_the_largest_post_any_form_can_make():
    largest = {
        # Sent as multipart/form-data (tracker.forms.SourceForm).
        "source": _text_capacity(Source) * MULTIPART_BYTES,
        # The change form: the commitment's fields and an update's.
        "commitment": (_text_capacity(Commitment) + _text_capacity(StatusUpdate))
        * URLENCODED_BYTES,
        "member grid": _text_capacity(StatusUpdate) * MEMBERS * URLENCODED_BYTES,
    }

    for form, size in largest.items():
        # A fifth to spare, for the names of the fields, the tokens and multipart's headers.
        assert size * 1.2 < settings.DATA_UPLOAD_MAX_MEMORY_SIZE, (form, size)
    assert largest["source"] == pytest.approx(8_000_000, rel=0.01)


def test_the_deploy_guide_lets_nginx_pass_a_post_the_app_can_explain():
    guide = (Path(__file__).resolve().parent.parent / "docs" / "deploy.md").read_text()
    megabytes = int(re.search(r"client_max_body_size (\d+)m;", guide).group(1))

    assert megabytes * 1024 * 1024 > settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_the_source_form_is_posted_as_multipart(admin_client):
    html = admin_client.get("/admin/tracker/source/add/").content.decode()

    assert 'enctype="multipart/form-data"' in html


def test_a_source_of_2_000_000_characters_of_thai_can_be_saved_in_the_admin(admin_client):
    response = admin_client.post(
        "/admin/tracker/source/add/",
        {
            "slug": "long-report",
            "title": "A long report",
            "event_name": "A summit",
            "event_place": "Bangkok",
            "event_date": "2026-01-15",
            "full_text": "ก" * 2_000_000,
            "language": "th",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert len(Source.objects.get(slug="long-report").full_text) == 2_000_000


@pytest.fixture
def commitment(make_commitment):
    return make_commitment(title="Connect data centres")


def _update_status(client, commitment, note: str, **kwargs):
    data = {
        "status": Status.IN_PROGRESS,
        "as_of": "2026-03-02",
        "note": note,
        "basis": Basis.SECRETARIAT_VERIFIED,
        "is_public": "on",
        "loaded_version": commitment.version,
    }
    return client.post(f"/admin/tracker/commitment/{commitment.pk}/update-status/", data, **kwargs)


def test_a_note_over_its_limit_comes_back_with_the_error_and_the_text_kept(
    editor_client, commitment
):
    note = "Bộ trưởng đã thông qua khung." * 180  # 5,220 characters

    response = _update_status(editor_client, commitment, note)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Note: at most 5,000 characters; this one has 5,220." in html
    assert f">\n{escape(note)}</textarea>" in html
    assert StatusUpdate.objects.count() == 0


def test_a_summary_over_its_limit_comes_back_with_the_error_on_the_change_form(
    admin_client, commitment
):
    change = f"/admin/tracker/commitment/{commitment.pk}/change/"
    form = admin_client.get(change).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    data.update(
        source=commitment.source.pk,
        proposer=commitment.proposer.pk,
        owner=commitment.owner.pk,
        summary="s" * 2_001,
        **{"updates-TOTAL_FORMS": 0, "updates-INITIAL_FORMS": 0},
    )

    response = admin_client.post(change, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Summary: at most 2,000 characters; this one has 2,001." in html
    assert "s" * 2_001 in html
    assert Commitment.objects.get(pk=commitment.pk).summary == commitment.summary


@pytest.mark.parametrize("encoding", ["multipart", "urlencoded"])
def test_a_post_over_the_upload_limit_gets_a_page_saying_so_in_the_admins_look(
    editor_client, commitment, encoding
):
    note = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    if encoding == "multipart":
        response = _update_status(editor_client, commitment, note)
    else:
        response = editor_client.post(
            f"/admin/tracker/commitment/{commitment.pk}/update-status/",
            urlencode({"note": note, "status": Status.IN_PROGRESS}),
            content_type="application/x-www-form-urlencoded",
        )

    assert response.status_code == 413
    html = response.content.decode()
    assert "<title>Too large to send | " in html
    assert "Commitments Tracker administration" in html  # the admin's header
    assert "the site accepts at most 10.0\xa0MB at a time" in html
    assert "nothing was saved" in html
    assert "Your text could not be kept here." in html and "Back button" in html
    assert "no-store" in response["Cache-Control"]
    assert StatusUpdate.objects.count() == 0


def test_the_page_is_in_the_editors_language(editor_client, commitment):
    editor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"

    response = _update_status(
        editor_client, commitment, "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    )

    assert response.status_code == 413
    assert '<html lang="vi"' in response.content.decode()


def test_a_post_over_the_limit_outside_the_admin_gets_the_plain_page(db):
    # A browser with the CSRF cookie: the token check reads the post, and so refuses it.
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32

    response = client.post("/", {"x": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})

    assert response.status_code == 413
    html = response.content.decode()
    assert "<h1>Too large to send</h1>" in html
    assert "Commitments Tracker administration" not in html
