"""Member states: progress rows, the per-member write path through save_edit(), and scores."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tracker.models import (
    STATUS_SCORE,
    Basis,
    Commitment,
    EditConflict,
    MemberProgress,
    MemberState,
    MemberUpdatesInvalid,
    Status,
    StatusUpdate,
    score_of,
)
from tracker.statuses import Record

MADE = datetime.date(2026, 1, 15)


def _update(member, status=Status.IN_PROGRESS, as_of=datetime.date(2026, 2, 1), **kwargs):
    return {
        "member": member,
        "status": status,
        "as_of": as_of,
        "note": kwargs.pop("note", "The ministry opened the first site."),
        "basis": kwargs.pop("basis", Basis.SELF_REPORTED),
        **kwargs,
    }


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Commitment, StatusUpdate, MemberProgress, MemberState)
    }


@pytest.fixture
def group(make_group, make_member):
    group = make_group(slug="asean", name="ASEAN")
    for position, (slug, name) in enumerate(
        [("cambodia", "Cambodia"), ("lao-pdr", "Lao PDR"), ("viet-nam", "Viet Nam")], 1
    ):
        make_member(group=group, slug=slug, name=name, position=position)
    return group


@pytest.fixture
def members(group) -> dict[str, MemberState]:
    return {m.slug: m for m in group.members.all()}


@pytest.fixture
def commitment(make_commitment, group):
    return make_commitment(member_group=group)


def _progress(commitment) -> dict[str, tuple[str, datetime.date]]:
    return {
        row.member.slug: (row.status, row.status_date)
        for row in commitment.member_progress.select_related("member")
    }


# Progress rows


def test_a_per_member_commitment_starts_with_one_not_assessed_row_per_member(commitment):
    assert _progress(commitment) == dict.fromkeys(
        ("cambodia", "lao-pdr", "viet-nam"), (Status.NOT_ASSESSED, MADE)
    )
    assert not commitment.updates.exists()


def test_a_member_that_joined_after_the_commitment_was_made_gets_no_row(
    make_commitment, group, make_member
):
    make_member(group=group, slug="timor-leste", joined_on=datetime.date(2026, 3, 1))
    commitment = make_commitment(member_group=group)
    assert "timor-leste" not in _progress(commitment)
    assert len(_progress(commitment)) == 3


def test_a_joint_commitment_has_no_member_rows(make_commitment, group):
    assert not make_commitment().member_progress.exists()


def test_sync_creates_the_missing_rows_only_once(commitment, group, make_member):
    make_member(group=group, slug="myanmar", joined_on=datetime.date(1997, 7, 23))
    assert commitment.sync_member_progress() == 1
    assert commitment.sync_member_progress() == 0
    assert commitment.member_progress.count() == 4


def test_setting_the_group_through_save_edit_creates_the_rows(make_commitment, group):
    commitment = make_commitment()
    commitment.member_group = group
    commitment.save_edit(["member_group"], expected_version=commitment.version)
    assert len(_progress(commitment)) == 3


def test_the_group_cannot_change_once_a_member_has_a_history(
    commitment, members, make_group, make_member
):
    commitment.record_update(**_update(members["viet-nam"]))
    other = make_group(members=2)
    commitment.member_group = other
    with pytest.raises(ValidationError) as error:
        commitment.save_edit(["member_group"])
    assert "Viet Nam already has a status history" in str(error.value)
    commitment.refresh_from_db()
    assert commitment.member_group_id != other.pk
    assert len(_progress(commitment)) == 3


def test_only_one_row_per_member_and_commitment(commitment, members):
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberProgress.objects.create(
            commitment=commitment, member=members["cambodia"], status_date=MADE
        )


def test_the_database_refuses_an_unknown_member_status(commitment):
    with pytest.raises(IntegrityError), transaction.atomic():
        commitment.member_progress.update(status="excellent")


# The write path


def test_member_updates_are_recorded_each_as_its_own_history_entry(commitment, members, editor):
    version = commitment.version
    recorded = commitment.record_member_updates(
        [
            _update(members["cambodia"], Status.COMPLETED),
            _update(members["viet-nam"], Status.IN_PROGRESS),
        ],
        expected_version=version,
        user=editor,
    )
    assert [(u.member.slug, u.previous_status, u.status) for u in recorded] == [
        ("cambodia", Status.NOT_ASSESSED, Status.COMPLETED),
        ("viet-nam", Status.NOT_ASSESSED, Status.IN_PROGRESS),
    ]
    assert all(u.author == editor for u in recorded)
    assert _progress(commitment) == {
        "cambodia": (Status.COMPLETED, datetime.date(2026, 2, 1)),
        "lao-pdr": (Status.NOT_ASSESSED, MADE),
        "viet-nam": (Status.IN_PROGRESS, datetime.date(2026, 2, 1)),
    }
    commitment.refresh_from_db()
    # One version bump for the whole step; the commitment's status is its members'.
    assert commitment.version == version + 1
    assert (commitment.status, commitment.status_date) == (
        Status.IN_PROGRESS,
        datetime.date(2026, 2, 1),
    )
    assert commitment.last_reviewed is not None


def test_record_update_with_a_member_writes_that_members_chain(commitment, members):
    update = commitment.record_update(**_update(members["lao-pdr"], Status.DELAYED))
    assert update.member == members["lao-pdr"]
    assert _progress(commitment)["lao-pdr"][0] == Status.DELAYED
    assert not StatusUpdate.objects.filter(commitment=commitment, member=None).exists()


def test_the_commitments_own_update_and_member_updates_go_in_one_step(commitment, members):
    own = commitment.save_edit(
        update={
            # A note: a per-member commitment's own update keeps the status.
            "status": Status.NOT_ASSESSED,
            "as_of": datetime.date(2026, 2, 1),
            "note": "Ministers agreed a work plan.",
            "basis": Basis.SECRETARIAT_VERIFIED,
        },
        member_updates=[_update(members["cambodia"], Status.STALLED)],
    )
    assert own.member is None
    commitment.refresh_from_db()
    # Then worked out from the members: one stalled, the rest not assessed.
    assert commitment.status == Status.IN_PROGRESS
    assert _progress(commitment)["cambodia"][0] == Status.STALLED


def test_an_internal_member_note_keeps_the_members_status(commitment, members):
    commitment.record_update(**_update(members["cambodia"], Status.IN_PROGRESS))
    commitment.record_update(
        **_update(members["cambodia"], Status.IN_PROGRESS, as_of=datetime.date(2026, 3, 1)),
        is_public=False,
    )
    assert _progress(commitment)["cambodia"] == (Status.IN_PROGRESS, datetime.date(2026, 2, 1))


def test_the_timeline_rule_holds_per_member_not_across_members(commitment, members):
    commitment.record_update(**_update(members["cambodia"], as_of=datetime.date(2026, 5, 1)))
    # Another member's chain, and the commitment's own, may still start earlier.
    commitment.record_update(**_update(members["viet-nam"], as_of=datetime.date(2026, 2, 1)))
    commitment.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 2, 1),
        note="Work began.",
        basis=Basis.INDEPENDENT,
    )
    with pytest.raises(ValidationError) as error:
        commitment.record_update(**_update(members["cambodia"], as_of=datetime.date(2026, 4, 1)))
    assert "Cambodia: as_of: The as-of date cannot be before that of the latest update, 1 May" in (
        " ".join(error.value.messages)
    )


def test_a_member_change_of_status_must_be_public(commitment, members):
    with pytest.raises(ValidationError) as error:
        commitment.record_update(**_update(members["cambodia"]), is_public=False)
    assert "Cambodia: is_public: A change of status is always public." in error.value.messages[0]


def test_a_member_correction_must_correct_the_same_members_update(commitment, members):
    wrong = commitment.record_update(**_update(members["cambodia"], Status.COMPLETED))
    with pytest.raises(ValidationError) as error:
        commitment.record_update(
            **_update(members["viet-nam"], Status.IN_PROGRESS, note="Not completed after all."),
            corrects=wrong,
        )
    assert "Choose an earlier update of Viet Nam’s own status" in str(error.value)
    fixed = commitment.record_update(
        **_update(members["cambodia"], Status.IN_PROGRESS, note="Not completed after all."),
        corrects=wrong,
    )
    assert fixed.corrects == wrong


def test_an_unscheduled_member_is_refused_by_name_and_nothing_is_written(
    commitment, members, make_member
):
    outsider = make_member(name="Atlantis")
    before = _counts()
    with pytest.raises(MemberUpdatesInvalid) as error:
        commitment.record_member_updates(
            [_update(members["cambodia"]), _update(outsider)],
        )
    assert error.value.messages == [
        f"Atlantis: member: Atlantis is not a member of the group that carries out "
        f"“{commitment.title}”."
    ]
    assert _counts() == before
    assert _progress(commitment)["cambodia"][0] == Status.NOT_ASSESSED


def test_a_member_that_joined_after_the_commitment_is_refused(commitment, group, make_member):
    late = make_member(group=group, name="Timor-Leste", joined_on=datetime.date(2026, 3, 1))
    before = _counts()
    with pytest.raises(ValidationError) as error:
        commitment.record_update(**_update(late))
    assert (
        "Timor-Leste joined on 1 March 2026, after “" in error.value.messages[0]
        and "was made on 15 January 2026" in error.value.messages[0]
    )
    assert _counts() == before


def test_a_member_given_twice_is_refused(commitment, members):
    before = _counts()
    with pytest.raises(MemberUpdatesInvalid) as error:
        commitment.record_member_updates(
            [_update(members["cambodia"]), _update(members["cambodia"], Status.COMPLETED)]
        )
    assert error.value.messages == [
        "Cambodia: Cambodia is given more than once: give each member state one status."
    ]
    assert _counts() == before


def test_member_updates_on_a_joint_commitment_are_refused(make_commitment, members):
    joint = make_commitment()
    before = _counts()
    with pytest.raises(MemberUpdatesInvalid) as error:
        joint.record_member_updates([_update(members["cambodia"])])
    assert "is not carried out member state by member state" in error.value.messages[0]
    assert _counts() == before


def test_every_members_problem_is_reported_at_once(commitment, members):
    with pytest.raises(MemberUpdatesInvalid) as error:
        commitment.record_member_updates(
            [
                _update(members["cambodia"], note=""),
                _update(members["viet-nam"], as_of=datetime.date(2025, 1, 1)),
            ]
        )
    assert set(error.value.by_member) == {members["cambodia"], members["viet-nam"]}
    assert any(m.startswith("Cambodia: note:") for m in error.value.messages)
    assert any(m.startswith("Viet Nam: as_of:") for m in error.value.messages)


def test_a_failure_in_the_commitments_own_update_writes_no_member_update(commitment, members):
    before = _counts()
    with pytest.raises(ValidationError):
        commitment.save_edit(
            update={
                "status": Status.ONGOING,
                "as_of": MADE,
                "note": "",
                "basis": Basis.INDEPENDENT,
            },
            member_updates=[_update(members["cambodia"])],
        )
    assert _counts() == before


def test_a_stale_version_refuses_the_member_updates_whole(commitment, members):
    loaded = commitment.version
    Commitment.objects.get(pk=commitment.pk).save_edit(["title"])
    before = _counts()
    with pytest.raises(EditConflict):
        commitment.record_member_updates(
            [_update(members["cambodia"]), _update(members["viet-nam"])], expected_version=loaded
        )
    assert _counts() == before
    assert {status for status, _ in _progress(commitment).values()} == {Status.NOT_ASSESSED}


def test_control_characters_in_a_member_note_are_refused(commitment, members):
    with pytest.raises(ValidationError) as error:
        commitment.record_update(**_update(members["cambodia"], note="Opened\x07 a site."))
    assert error.value.messages[0].startswith("Cambodia: note:")


# Scores


def test_the_score_follows_the_g20_research_group_scale():
    assert {status: score_of(status) for status in Status} == {
        Status.COMPLETED: 1,
        Status.PARTIALLY_COMPLETED: 0,
        Status.IN_PROGRESS: 0,
        Status.ONGOING: 0,
        Status.DELAYED: 0,
        Status.STALLED: 0,
        Status.NOT_STARTED: -1,
        Status.DISCONTINUED: -1,
        Status.NOT_ASSESSED: None,
        Status.SUPERSEDED: None,
    }
    assert set(STATUS_SCORE) == set(Status)


def _commitment_record(commitment) -> Record:
    counts = MemberProgress.objects.filter(commitment=commitment).status_counts("commitment")
    return Record.of(counts.get(commitment.pk, {}))


def test_a_commitments_score_averages_over_assessed_members_only(commitment, members):
    commitment.record_member_updates(
        [
            _update(members["cambodia"], Status.COMPLETED),
            _update(members["viet-nam"], Status.NOT_STARTED),
        ]
    )
    record = _commitment_record(commitment)
    # Lao PDR is not assessed: missing data, not a failure.
    assert (record.tracked, record.assessed, record.done) == (3, 2, 1)
    assert record.score == 0


def test_a_commitment_with_nobody_assessed_has_no_score(commitment, make_commitment):
    joint = make_commitment()
    assert (_commitment_record(commitment).assessed, _commitment_record(commitment).score) == (
        0,
        None,
    )
    assert (_commitment_record(joint).tracked, _commitment_record(joint).score) == (0, None)


def test_superseded_is_excluded_from_the_score(commitment, members):
    commitment.record_member_updates(
        [
            _update(members["cambodia"], Status.SUPERSEDED),
            _update(members["viet-nam"], Status.PARTIALLY_COMPLETED),
        ]
    )
    record = _commitment_record(commitment)
    assert (record.assessed, record.score) == (1, 0)


def test_a_members_score_averages_over_its_published_commitments(make_commitment, group, members):
    first = make_commitment(member_group=group)
    second = make_commitment(member_group=group)
    draft = make_commitment(member_group=group, is_published=False)
    first.record_update(**_update(members["cambodia"], Status.COMPLETED))
    second.record_update(**_update(members["cambodia"], Status.IN_PROGRESS))
    draft.record_update(**_update(members["cambodia"], Status.DISCONTINUED))
    counts = MemberProgress.objects.public().status_counts("member")
    cambodia = Record.of(counts[members["cambodia"].pk])
    assert (cambodia.tracked, cambodia.assessed) == (2, 2)
    assert cambodia.done == 1
    assert cambodia.score == pytest.approx(0.5)
    lao = Record.of(counts[members["lao-pdr"].pk])
    assert (lao.assessed, lao.score) == (0, None)


def test_scores_cost_one_query_for_any_number_of_rows(
    make_commitment, group, members, django_assert_num_queries
):
    for _ in range(5):
        make_commitment(member_group=group)
    with django_assert_num_queries(1):
        assert len(MemberProgress.objects.status_counts("commitment")) == 5
    with django_assert_num_queries(1):
        assert len(MemberProgress.objects.status_counts("member")) == 3
    with django_assert_num_queries(1):
        assert len(MemberProgress.objects.public().grid()) == 15


def test_a_theme_filter_does_not_multiply_the_figures(make_commitment, make_theme, group, members):
    themes = [make_theme(), make_theme()]
    commitment = make_commitment(member_group=group, themes=themes)
    commitment.record_update(**_update(members["cambodia"], Status.COMPLETED))
    on_themes = Commitment.objects.filter(themes__in=themes).values("pk")
    counts = MemberProgress.objects.filter(commitment__in=on_themes).status_counts("commitment")
    record = Record.of(counts[commitment.pk])
    assert (record.tracked, record.assessed, record.score) == (3, 1, 1)
