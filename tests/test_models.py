import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tracker.models import Basis, Bucket, Commitment, Status, StatusUpdate, bucket_of, statuses_in

JUNE = datetime.date(2026, 6, 30)


def test_recording_an_update_changes_the_status_and_writes_exactly_one_update(make_commitment):
    commitment = make_commitment()

    update = commitment.record_update(
        status=Status.IN_PROGRESS,
        as_of=JUNE,
        note="Ministers adopted a work plan.",
        basis=Basis.SELF_REPORTED,
    )

    commitment.refresh_from_db()
    assert commitment.status == Status.IN_PROGRESS
    assert commitment.status_date == JUNE
    assert StatusUpdate.objects.count() == 1
    assert update.previous_status == Status.NOT_ASSESSED
    assert update.status == Status.IN_PROGRESS
    assert update.note == "Ministers adopted a work plan."


def test_each_update_records_the_status_it_replaced(make_commitment):
    commitment = make_commitment()
    commitment.record_update(
        status=Status.IN_PROGRESS, as_of=JUNE, note="Started.", basis=Basis.SELF_REPORTED
    )
    second = commitment.record_update(
        status=Status.COMPLETED,
        as_of=datetime.date(2026, 9, 1),
        note="Done.",
        basis=Basis.SELF_REPORTED,
    )

    assert second.previous_status == Status.IN_PROGRESS
    assert list(commitment.updates.values_list("status", flat=True)) == [
        Status.COMPLETED,
        Status.IN_PROGRESS,
    ]


def test_an_invalid_update_changes_nothing(make_commitment):
    commitment = make_commitment()

    with pytest.raises(ValidationError) as error:
        commitment.record_update(
            status=Status.IN_PROGRESS,
            as_of=JUNE,
            note="x",
            evidence_url="not a url",
            basis=Basis.SELF_REPORTED,
        )

    assert "evidence_url" in error.value.message_dict
    commitment.refresh_from_db()
    assert commitment.status == Status.NOT_ASSESSED
    assert not StatusUpdate.objects.exists()


def test_an_unknown_status_is_refused_by_validation(make_commitment):
    commitment = make_commitment()

    with pytest.raises(ValidationError):
        commitment.record_update(status="maybe", as_of=JUNE, note="x", basis=Basis.SELF_REPORTED)

    commitment.refresh_from_db()
    assert commitment.status == Status.NOT_ASSESSED


def test_the_database_rejects_an_unknown_commitment_status(make_commitment):
    commitment = make_commitment()

    with pytest.raises(IntegrityError), transaction.atomic():
        Commitment.objects.filter(pk=commitment.pk).update(status="maybe")


def test_the_database_rejects_an_unknown_status_in_the_history(make_commitment):
    commitment = make_commitment()

    with pytest.raises(IntegrityError), transaction.atomic():
        StatusUpdate.objects.create(
            commitment=commitment, status="maybe", previous_status="not_assessed", as_of=JUNE
        )


def test_every_status_has_a_bucket_and_not_yet_assessed_is_pending():
    assert bucket_of(Status.NOT_ASSESSED) == Bucket.PENDING
    assert sorted(s for b in Bucket for s in statuses_in(b)) == sorted(Status.values)
    assert statuses_in(Bucket.DONE) == [Status.COMPLETED, Status.PARTIALLY_COMPLETED]


def test_models_name_themselves_for_people(make_commitment):
    commitment = make_commitment(title="Connect data centres")
    update = commitment.record_update(
        status=Status.ONGOING, as_of=JUNE, note="x", basis=Basis.SELF_REPORTED
    )

    assert str(commitment) == "Connect data centres"
    assert str(update) == "Connect data centres: Ongoing as of 30 June 2026"
    assert commitment.get_absolute_url() == f"/commitments/{commitment.slug}/"
    assert update.get_absolute_url() == f"/commitments/{commitment.slug}/#update-{update.pk}"


def test_public_querysets_hide_drafts_and_internal_notes(make_commitment):
    published = make_commitment()
    draft = make_commitment(is_published=False)
    published.record_update(
        status=Status.ONGOING, as_of=JUNE, note="public", basis=Basis.SELF_REPORTED
    )
    published.record_update(
        status=Status.ONGOING,
        as_of=JUNE,
        note="internal",
        is_public=False,
        basis=Basis.SELF_REPORTED,
    )
    draft.record_update(
        status=Status.ONGOING, as_of=JUNE, note="on a draft", basis=Basis.SELF_REPORTED
    )

    assert list(Commitment.objects.public()) == [published]
    assert list(StatusUpdate.objects.public().values_list("note", flat=True)) == ["public"]


def test_a_commitment_cannot_take_the_slug_of_another_page(make_commitment):
    commitment = make_commitment()
    commitment.slug = "print"

    with pytest.raises(ValidationError) as error:
        commitment.full_clean()

    assert "is the address of another page" in error.value.message_dict["slug"][0]


def test_saving_a_stale_copy_never_puts_an_old_status_back(make_commitment):
    commitment = make_commitment()
    stale = Commitment.objects.get(pk=commitment.pk)
    commitment.record_update(
        status=Status.IN_PROGRESS, as_of=JUNE, note="Started.", basis=Basis.INDEPENDENT
    )

    stale.title = "Retitled from the shell"
    stale.save()

    commitment.refresh_from_db()
    assert commitment.title == "Retitled from the shell"
    assert commitment.status == Status.IN_PROGRESS
    assert commitment.status_date == JUNE


def test_save_refuses_to_write_the_status(make_commitment):
    commitment = make_commitment()
    commitment.status = Status.COMPLETED

    with pytest.raises(ValueError, match="record_update"):
        commitment.save(update_fields=["status"])

    commitment.refresh_from_db()
    assert commitment.status == Status.NOT_ASSESSED
