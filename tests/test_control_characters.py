"""Invisible control characters, as pasted from PDFs and word processors, are refused on input
by every path: the model's own checks, which the admin, the importers and fixtures all run."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from tests.forms import form_data
from tracker.models import Basis, ContentVersion, SearchDocument, Status, StatusUpdate
from tracker.validators import validate_plain_text

MESSAGE = (
    "Contains an invisible control character (U+000B) at character 7, often pasted from a PDF "
    "or a word processor. Delete it or retype the text around it."
)


@pytest.mark.parametrize("char", ["\x00", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\ufffe"])
def test_each_control_character_is_refused(char):
    with pytest.raises(ValidationError):
        validate_plain_text(f"Bridge{char}")


@pytest.mark.parametrize("text", ["Line one\nline two", "Tab\there", "CRLF\r\n", "Hà Nội – “ok”"])
def test_ordinary_text_tabs_and_line_breaks_are_accepted(text):
    validate_plain_text(text)


def _text_fields(model) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField)) and f.choices is None
    ]


def test_every_text_field_of_every_tracker_model_refuses_them(
    make_commitment, make_source, make_actor, make_theme, make_group, make_member
):
    group = make_group()
    member = make_member(group=group)
    commitment = make_commitment(member_group=group)
    progress = commitment.member_progress.get()
    update = StatusUpdate(
        commitment=commitment,
        status=Status.NOT_ASSESSED,
        previous_status=Status.NOT_ASSESSED,
        as_of=datetime.date(2026, 2, 1),
        note="Fine.",
        basis=Basis.SELF_REPORTED,
    )
    objects = [make_source(), make_actor(), make_theme(), commitment, update, group, member]
    objects += [progress, ContentVersion.current()]
    # Search documents are the search's own copy of these texts, written only by tracker.search.
    every = set(apps.get_app_config("tracker").get_models()) - {SearchDocument}
    assert {type(o) for o in objects} == every
    for obj in objects:
        for name in _text_fields(type(obj)):
            original = getattr(obj, name)
            setattr(obj, name, "Bridge\x0b!")
            with pytest.raises(ValidationError) as error:
                obj.full_clean()
            # Slugs, addresses and language codes refuse it with their own format's message.
            if not isinstance(obj._meta.get_field(name), (models.SlugField, models.URLField)) and (
                type(obj).__name__,
                name,
            ) != ("Source", "language"):
                assert MESSAGE in error.value.message_dict[name], (type(obj).__name__, name)
            assert name in error.value.message_dict
            setattr(obj, name, original)


def test_the_admin_refuses_a_pasted_control_character_naming_the_field(
    admin_client, make_commitment
):
    commitment = make_commitment(title="Bridge")
    url = f"/admin/tracker/commitment/{commitment.pk}/change/"

    response = admin_client.post(
        url, form_data(admin_client, url, "commitment_form", title="Bridge\x0b!")
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["title"] == [MESSAGE]
    commitment.refresh_from_db()
    assert commitment.title == "Bridge"


def test_a_status_note_with_a_control_character_is_refused_and_nothing_recorded(
    admin_client, make_commitment
):
    commitment = make_commitment(title="Bridge")
    url = f"/admin/tracker/commitment/{commitment.pk}/change/"
    data = form_data(
        admin_client,
        url,
        "commitment_form",
        new_status=Status.IN_PROGRESS,
        as_of="2026-03-01",
        note="Tender\x0bissued.",
        basis=Basis.SELF_REPORTED,
    )

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["note"] == [MESSAGE]
    assert not StatusUpdate.objects.exists()


def test_the_shell_cannot_record_one_either(make_commitment):
    commitment = make_commitment()

    with pytest.raises(ValidationError) as error:
        commitment.record_update(
            status=Status.IN_PROGRESS,
            as_of=datetime.date(2026, 3, 1),
            note="Tender\x0bissued.",
            basis=Basis.SELF_REPORTED,
        )

    assert error.value.message_dict == {"note": [MESSAGE]}
    assert not StatusUpdate.objects.exists()
