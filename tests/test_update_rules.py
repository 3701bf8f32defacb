"""Evidence and dates on every update: the model's rules, how the admin form reports them, and
the assessment basis on the public timeline."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.forms import form_data
from tracker.models import Basis, Commitment, Status, StatusUpdate

EVENT = datetime.date(2026, 1, 15)


@pytest.fixture
def commitment(make_commitment, make_source) -> Commitment:
    return make_commitment(title="Bridge", source=make_source(event_date=EVENT))


def _record(commitment: Commitment, **changes) -> StatusUpdate:
    kwargs = {
        "status": Status.IN_PROGRESS,
        "as_of": datetime.date(2026, 3, 1),
        "note": "The tender was issued.",
        "basis": Basis.SECRETARIAT_VERIFIED,
    }
    kwargs.update(changes)
    return commitment.record_update(**kwargs)


def _refused(commitment: Commitment, **changes) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        _record(commitment, **changes)
    assert not StatusUpdate.objects.exists()
    commitment.refresh_from_db()
    assert commitment.status == Status.NOT_ASSESSED
    assert commitment.last_reviewed is None
    return error.value.message_dict


TOMORROW = "tomorrow"

# (what is wrong, the field it is reported on, the message)
RULES = [
    ({"note": ""}, "note", "Write a note saying why: it is shown with the update."),
    ({"note": "   "}, "note", "Write a note saying why: it is shown with the update."),
    (
        {"as_of": TOMORROW},
        "as_of",
        "The as-of date cannot be in the future: record what is true today or earlier.",
    ),
    (
        {"as_of": datetime.date(2026, 1, 14)},
        "as_of",
        "The as-of date cannot be before the commitment was made, on 15 January 2026.",
    ),
    (
        {"evidence_url": "javascript:alert(1)"},
        "evidence_url",
        "Enter a web address starting with http:// or https://, e.g. https://asean.org/communique.",
    ),
    (
        {"evidence_url": "ftp://example.org/report.pdf"},
        "evidence_url",
        "Enter a web address starting with http:// or https://, e.g. https://asean.org/communique.",
    ),
    (
        {"basis": ""},
        "basis",
        "Choose what this assessment rests on: the owner's own report, the secretariat's "
        "verification or an independent assessment.",
    ),
    ({"basis": "rumour"}, "basis", "Value 'rumour' is not a valid choice."),
]


def _resolve(changes: dict) -> dict:
    if changes.get("as_of") == TOMORROW:
        return {**changes, "as_of": timezone.localdate() + datetime.timedelta(days=1)}
    return changes


@pytest.mark.parametrize(("changes", "field", "message"), RULES)
def test_the_model_refuses_a_bad_update_and_writes_nothing(commitment, changes, field, message):
    errors = _refused(commitment, **_resolve(changes))

    assert errors == {field: [message]}


def test_an_update_on_the_day_the_commitment_was_made_and_today_are_accepted(commitment):
    _record(commitment, as_of=EVENT)
    _record(commitment, as_of=timezone.localdate(), evidence_url="http://example.org/a")

    assert StatusUpdate.objects.count() == 2


def test_a_progress_note_keeping_the_status_needs_a_note_in_the_model_too(commitment):
    # The admin asks for a note on every update; the shell and the importers must too.
    assert _refused(commitment, status=Status.NOT_ASSESSED, note="") == {
        "note": ["Write a note saying why: it is shown with the update."]
    }


def test_the_database_rejects_an_unknown_basis(commitment):
    update = _record(commitment)

    with pytest.raises(IntegrityError), transaction.atomic():
        StatusUpdate.objects.filter(pk=update.pk).update(basis="rumour")


# The admin form: every rule reported on its field, nothing written


def _url(commitment: Commitment) -> str:
    return f"/admin/tracker/commitment/{commitment.pk}/change/"


WEB_ADDRESS = (
    "Enter a web address starting with http:// or https://, e.g. https://asean.org/communique."
)
NO_BASIS = (
    "Choose what this assessment rests on: the owner's own report, the secretariat's "
    "verification or an independent assessment."
)
FORM_RULES = [
    ({"note": ""}, "note", "Write a note saying why: it is shown with the update."),
    (
        {"as_of": TOMORROW},
        "as_of",
        "The as-of date cannot be in the future: record what is true today or earlier.",
    ),
    (
        {"as_of": "2026-01-14"},
        "as_of",
        "The as-of date cannot be before the commitment was made, on 15 January 2026.",
    ),
    ({"evidence_url": "javascript:alert(1)"}, "evidence_url", WEB_ADDRESS),
    ({"evidence_url": "ftp://example.org/report.pdf"}, "evidence_url", WEB_ADDRESS),
    ({"evidence_url": "not a web address"}, "evidence_url", WEB_ADDRESS),
    # One rule for links everywhere: an address without its scheme is refused, not guessed.
    ({"evidence_url": "asean.org/tender"}, "evidence_url", WEB_ADDRESS),
    ({"basis": []}, "basis", NO_BASIS),
    (
        {"basis": "rumour"},
        "basis",
        "Select a valid choice. rumour is not one of the available choices.",
    ),
]


@pytest.mark.parametrize(("changes", "field", "message"), FORM_RULES)
def test_the_admin_form_names_the_field_and_writes_nothing(
    editor_client, commitment, changes, field, message
):
    changes = _resolve(changes)
    if isinstance(changes.get("as_of"), datetime.date):
        changes["as_of"] = changes["as_of"].isoformat()
    data = form_data(
        editor_client,
        _url(commitment),
        "commitment_form",
        title="Renamed",
        new_status=Status.IN_PROGRESS,
        as_of="2026-03-01",
        note="The tender was issued.",
        basis=Basis.SECRETARIAT_VERIFIED,
    )
    data.update(
        {name: value if isinstance(value, list) else [value] for name, value in changes.items()}
    )

    response = editor_client.post(_url(commitment), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {field: [message]}
    assert message.replace("'", "&#x27;") in response.content.decode()
    commitment.refresh_from_db()
    assert (commitment.title, commitment.status, commitment.version) == (
        "Bridge",
        Status.NOT_ASSESSED,
        1,
    )
    assert not StatusUpdate.objects.exists()


def test_the_admin_form_offers_the_three_bases_with_none_chosen(editor_client, commitment):
    response = editor_client.get(_url(commitment))

    field = response.context["adminform"].form["basis"]
    assert [(choice.data["value"], choice.data["label"]) for choice in field] == [
        ("self_reported", "Self-reported by the owner"),
        ("secretariat_verified", "Verified by the secretariat"),
        ("independent", "Independent assessment"),
    ]
    assert field.value() is None


def test_a_recorded_update_keeps_its_basis_and_evidence(editor_client, editor, commitment):
    data = form_data(
        editor_client,
        _url(commitment),
        "commitment_form",
        new_status=Status.IN_PROGRESS,
        as_of="2026-03-01",
        note="The tender was issued.",
        evidence_url="https://asean.org/tender",
        basis=Basis.INDEPENDENT,
    )

    assert editor_client.post(_url(commitment), data).status_code == 302

    update = StatusUpdate.objects.get()
    assert (update.basis, update.evidence_url, update.author) == (
        Basis.INDEPENDENT,
        "https://asean.org/tender",
        editor,
    )


# The public timeline


def test_the_public_timeline_shows_each_updates_basis_as_text(client, commitment):
    _record(commitment, basis=Basis.SELF_REPORTED, as_of=datetime.date(2026, 2, 1))
    _record(
        commitment,
        status=Status.DELAYED,
        basis=Basis.INDEPENDENT,
        note="Auditors found the works stopped.",
    )

    html = client.get("/commitments/" + commitment.slug + "/").content.decode()

    assert '<span class="muted">Basis:</span> Self-reported by the owner' in html
    assert '<span class="muted">Basis:</span> Independent assessment' in html


def test_the_dashboard_shows_the_basis_of_the_latest_updates(client, commitment):
    _record(commitment, basis=Basis.SECRETARIAT_VERIFIED)

    html = client.get("/").content.decode()

    assert '<span class="muted">Basis:</span> Verified by the secretariat' in html


def test_an_update_recorded_before_bases_existed_shows_none(client, commitment):
    update = _record(commitment)
    StatusUpdate.objects.filter(pk=update.pk).update(basis="")

    html = client.get(commitment.get_absolute_url()).content.decode()

    assert "Basis:" not in html
