"""One truth per commitment (issue 18): a commitment carried out by each member state takes its
status from its members by one rule, every public place says the same, and no path can record
a whole-commitment status that contradicts the members."""

from __future__ import annotations

import datetime
import json
import re

import feedparser
import pytest
from django.core.exceptions import ValidationError

from tests import factories
from tests.forms import FormData, form_data
from tracker import figures
from tracker.models import (
    Basis,
    Commitment,
    MemberProgress,
    Status,
    StatusUpdate,
    derive_status,
)

CHANGELIST = "/admin/tracker/commitment/"

COMPLETED, IN_PROGRESS, NOT_ASSESSED = (
    Status.COMPLETED.value,
    Status.IN_PROGRESS.value,
    Status.NOT_ASSESSED.value,
)


# The rule


@pytest.mark.parametrize(
    ("statuses", "overall"),
    [
        ([COMPLETED] * 3, COMPLETED),
        ([NOT_ASSESSED] * 3, NOT_ASSESSED),
        ([COMPLETED, "partially_completed", COMPLETED], "partially_completed"),
        (["discontinued", "superseded"], "discontinued"),
        ([COMPLETED, NOT_ASSESSED, NOT_ASSESSED], IN_PROGRESS),
        (["delayed", "not_started"], IN_PROGRESS),
        (["not_started", NOT_ASSESSED], "not_started"),
        (["discontinued", NOT_ASSESSED], "not_started"),
        ([], NOT_ASSESSED),
    ],
)
def test_the_overall_status_follows_the_documented_rule(statuses, overall):
    assert derive_status(statuses) == overall


def test_the_methodology_page_states_the_rule_with_examples_the_code_worked_out(client):
    html = client.get("/scorecard/methodology/").content.decode()

    assert 'id="overall-status"' in html
    assert "Some member state has begun or delivered" in html
    # "1 of 11 completed · 1 in progress · 9 not yet assessed" is worked out as In progress.
    example = html[html.index("</span> 1 of 11 completed") :]
    assert 'data-status="in_progress"' in example[: example.index("</tr>")]
    assert 'id="kinds"' in html and "Advice" in html


# A Viet Nam-like scenario: one member completes, on a commitment of three.


@pytest.fixture
def scorecard(db):
    group, members, (joint,) = factories.make_scorecard(members=3, commitments=1, name="ASEAN")
    joint.title = "Develop domestic data centres"
    joint.save()
    return joint, members


def test_recording_one_member_status_moves_the_overall_status_and_nothing_else(scorecard):
    joint, (first, second, third) = scorecard

    factories.record_member_status(joint, first, Status.COMPLETED, datetime.date(2026, 3, 1))

    joint.refresh_from_db()
    assert (joint.status, joint.status_date) == (IN_PROGRESS, datetime.date(2026, 3, 1))
    # No whole-commitment update was invented for it.
    assert not StatusUpdate.objects.filter(commitment=joint, member__isnull=True).exists()

    for member in (second, third):
        factories.record_member_status(joint, member, Status.COMPLETED, datetime.date(2026, 4, 1))
    joint.refresh_from_db()
    assert (joint.status, joint.status_date) == (COMPLETED, datetime.date(2026, 4, 1))


def test_the_figures_count_the_derived_status(scorecard):
    joint, (first, *_rest) = scorecard

    factories.record_member_status(joint, first, Status.COMPLETED)

    site = figures.read(figures.SITE)[(figures.SITE, 0)]
    assert site == {IN_PROGRESS: 1}
    assert figures.read(*figures.SCOPES) == figures.count_afresh()


def test_a_member_row_saved_in_the_shell_moves_the_overall_status_too(scorecard):
    joint, (first, *_rest) = scorecard
    row = MemberProgress.objects.get(commitment=joint, member=first)

    row.status = Status.IN_PROGRESS
    row.save()

    joint.refresh_from_db()
    assert joint.status == IN_PROGRESS
    assert figures.read(*figures.SCOPES) == figures.count_afresh()


# Refused on every path, with nothing written


def test_a_whole_commitment_status_is_refused_in_the_shell_and_nothing_is_written(scorecard):
    joint, _members = scorecard
    version = joint.version

    with pytest.raises(ValidationError) as error:
        joint.record_update(
            status=Status.COMPLETED,
            as_of=datetime.date(2026, 3, 1),
            note="Done everywhere, we hear.",
            basis=Basis.SELF_REPORTED,
        )

    message = " ".join(error.value.messages)
    assert "is carried out by each member of ASEAN" in message
    assert "Record each member state’s status" in message
    assert "keep “Not yet assessed” to record this as a progress note" in message
    joint.refresh_from_db()
    assert (joint.status, joint.version) == (NOT_ASSESSED, version)
    assert not StatusUpdate.objects.exists()


def test_a_progress_note_that_keeps_the_status_is_recorded_and_changes_nothing(scorecard):
    joint, (first, *_rest) = scorecard
    factories.record_member_status(joint, first, Status.COMPLETED, datetime.date(2026, 3, 1))
    joint.refresh_from_db()

    note = joint.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 5, 1),
        note="Ministers reviewed the members' plans.",
        basis=Basis.SECRETARIAT_VERIFIED,
    )

    assert note.pk is not None and not note.is_status_change
    joint.refresh_from_db()
    # Still the members' status, as of the members' latest date.
    assert (joint.status, joint.status_date) == (IN_PROGRESS, datetime.date(2026, 3, 1))


def test_the_update_status_form_refuses_it_and_says_what_to_do(editor_client, scorecard):
    joint, _members = scorecard

    response = editor_client.post(
        f"/admin/tracker/commitment/{joint.pk}/update-status/",
        {
            "status": Status.COMPLETED,
            "as_of": "2026-03-02",
            "note": "Completed.",
            "basis": Basis.SECRETARIAT_VERIFIED,
            "is_public": "on",
            "loaded_version": joint.version,
        },
    )

    assert response.status_code == 200
    assert "is carried out by each member of ASEAN" in response.content.decode()
    joint.refresh_from_db()
    assert joint.status == NOT_ASSESSED
    assert not StatusUpdate.objects.exists()


def test_the_change_form_refuses_it_names_the_rule_beforehand_and_writes_nothing(
    editor_client, scorecard
):
    joint, _members = scorecard
    url = f"{CHANGELIST}{joint.pk}/change/"
    page = editor_client.get(url).content.decode()
    # Said before the editor tries, beside the status field.
    assert "the status is worked out from the member states’ statuses" in page
    data = form_data(
        editor_client,
        url,
        "commitment_form",
        new_status=Status.COMPLETED,
        as_of="2026-03-01",
        note="Completed everywhere.",
        basis=Basis.SECRETARIAT_VERIFIED,
    )

    response = editor_client.post(url, data)

    assert response.status_code == 200
    assert "is carried out by each member of ASEAN" in response.content.decode()
    joint.refresh_from_db()
    assert joint.status == NOT_ASSESSED
    assert not StatusUpdate.objects.exists()


def test_the_bulk_status_change_refuses_it_and_writes_nothing(
    editor_client, scorecard, make_commitment
):
    joint, _members = scorecard
    plain = make_commitment(title="Build a bridge")
    response = editor_client.post(
        CHANGELIST, {"action": "change_status", "_selected_action": [joint.pk, plain.pk]}
    )
    parser = FormData("change-status-form")
    parser.feed(response.content.decode())
    data = parser.data
    data.update(
        {
            "apply": ["Record"],
            "status": [Status.COMPLETED],
            "as_of": ["2026-03-01"],
            "note": ["Delivered."],
            "basis": [Basis.SECRETARIAT_VERIFIED],
        }
    )

    response = editor_client.post(CHANGELIST, data, follow=True)

    assert "is carried out by each member of ASEAN" in response.content.decode()
    assert not StatusUpdate.objects.exists()
    assert set(Commitment.objects.values_list("status", flat=True)) == {NOT_ASSESSED}


# Every public place tells the same story


@pytest.fixture
def one_member_completed(scorecard):
    joint, (first, *_rest) = scorecard
    factories.record_member_status(
        joint, first, Status.COMPLETED, datetime.date(2026, 3, 1), note="Opened three centres."
    )
    joint.refresh_from_db()
    return joint


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_headline_shows_the_members_spread_score_and_coverage(client, one_member_completed):
    html = client.get(one_member_completed.get_absolute_url()).content.decode()
    box = html[html.index('class="status-box') : html.index('id="members-heading"')]
    text = _text(box)

    assert "1 of 3 completed" in text and "2 not yet assessed" in text
    assert "+1.00" in text and "from 1 of 3 member states assessed" in text
    assert 'data-status="in_progress"' in box
    assert "Worked out from the member states’ statuses" in text
    assert "No evidence has been reviewed yet" not in html


def test_the_og_description_badge_and_print_view_agree(client, one_member_completed):
    joint = one_member_completed
    html = client.get(joint.get_absolute_url()).content.decode()
    og = re.search(r'<meta property="og:description" content="([^"]*)"', html).group(1)
    assert og.startswith("In progress overall: 1 of 3 completed · 2 not yet assessed")

    badge = client.get(f"{joint.get_absolute_url()}badge.svg").content.decode()
    assert "In progress · 1/3 members done" in badge

    printout = client.get("/commitments/print/").content.decode()
    item = printout[printout.index("Develop domestic data centres") :]
    assert 'data-status="in_progress"' in item
    assert "1 of 3 completed" in _text(item)
    assert "Each member state’s current status" in item
    assert item.count('data-status="completed"') >= 1


def test_list_cards_table_and_front_page_tiles_agree(client, one_member_completed):
    cards = client.get("/commitments/").content.decode()
    assert 'data-status="in_progress"' in cards
    assert "member states: 1 of 3 done, 1 of 3 assessed" in _text(cards)

    table = client.get("/commitments/?view=table").content.decode()
    assert "(1 of 3 member states done)" in table

    front = _text(client.get("/").content.decode())
    assert "Delivered 0" in front
    assert "No target dates announced" in front
    assert "Overdue 0" not in front


def test_the_filtered_list_exports_dataset_and_feed_agree(client, one_member_completed):
    joint = one_member_completed
    assert joint.slug in client.get("/commitments/?status=in_progress").content.decode()
    assert joint.slug not in client.get("/commitments/?status=completed").content.decode()

    exported = json.loads(b"".join(client.get("/commitments/export.json").streaming_content))[
        "commitments"
    ][0]
    assert exported["status"] == IN_PROGRESS
    assert exported["status_derived_from"] == "member_states"
    assert (exported["members_tracked"], exported["members_done"]) == (3, 1)

    dataset = json.loads(b"".join(client.get("/data/dataset.json").streaming_content))
    (row,) = [c for c in dataset["commitments"] if c["slug"] == joint.slug]
    assert row["status"] == IN_PROGRESS

    csv = b"".join(client.get("/commitments/export.csv").streaming_content).decode()
    assert '"member_states","3","1","1","In progress"' in csv

    feed = feedparser.parse(client.get("/feeds/updates/").content)
    assert "Opened three centres." in feed.entries[0].summary


def test_the_scorecard_and_charts_count_the_same(client, one_member_completed):
    scorecard = _text(client.get("/scorecard/").content.decode())
    assert "+1.00" in scorecard

    charts = client.get("/charts/").content.decode()
    # The status chart's own description and data table count it as in progress.
    assert "1 commitment: ◔ In progress: 1;" in charts
    assert '◔ In progress</a></th><td class="num">1</td>' in charts


# Who said it, who must deliver it, and what kind of statement it is


def test_the_page_opens_with_who_said_it_who_must_deliver_it_and_its_kind(
    client, one_member_completed
):
    html = client.get(one_member_completed.get_absolute_url()).content.decode()
    top = html[html.index("<h1>") : html.index('id="status-heading"')]
    text = _text(top)

    assert f"Said by {one_member_completed.proposer.name}" in text
    assert "Must deliver it Each ASEAN member state (3), tracked one by one" in text
    assert "Kind Commitment Those who must deliver it have undertaken to" in text


def test_the_list_filters_on_the_kind_and_refuses_an_unknown_one(client, make_commitment):
    make_commitment(title="Advice to pursue a balanced strategy", kind="advice")
    make_commitment(title="Offer to collaborate", kind="commitment")

    advice = client.get("/commitments/?kind=advice")
    unknown = client.get("/commitments/?kind=promise")

    assert "Advice to pursue a balanced strategy" in advice.content.decode()
    assert "Offer to collaborate" not in advice.content.decode()
    assert unknown.status_code == 400
    assert "promise is not one of the available choices" in unknown.content.decode()


def test_a_whole_commitment_status_recorded_before_the_rule_is_labelled_in_the_timeline(
    client, scorecard
):
    joint, _members = scorecard
    # As migration 0013 found some: written before whole-commitment statuses were refused.
    StatusUpdate.objects.create(
        commitment=joint,
        status=Status.COMPLETED,
        previous_status=Status.NOT_ASSESSED,
        as_of=datetime.date(2026, 3, 1),
        note="Completed everywhere, we hear.",
        basis=Basis.SELF_REPORTED,
    )

    html = client.get(joint.get_absolute_url()).content.decode()

    assert "Completed everywhere, we hear." in html
    assert "it no longer sets the status" in html
    box = html[html.index('class="status-box') : html.index('id="members-heading"')]
    assert 'data-status="not_assessed"' in box and 'data-status="completed"' not in box


def test_choosing_or_removing_the_group_moves_the_status_with_it(make_commitment, make_group):
    group = make_group(members=2)
    commitment = make_commitment(status=Status.COMPLETED)

    commitment.member_group = group
    commitment.save_edit(["member_group"])
    # Carried out by each member now: the members' status, none of them assessed yet.
    assert Commitment.objects.get(pk=commitment.pk).status == NOT_ASSESSED

    commitment.member_group = None
    commitment.save_edit(["member_group"])
    # Carried out as a whole again: its own latest update says.
    assert Commitment.objects.get(pk=commitment.pk).status == COMPLETED
    assert figures.read(*figures.SCOPES) == figures.count_afresh()
