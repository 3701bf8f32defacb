"""Review dates and deadlines: last reviewed, "Mark reviewed", the "needs review" and "overdue"
admin filters, and the overdue marker on public pages."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from tests.html import check_page
from tracker.models import Basis, Commitment, Status

CHANGELIST = "/admin/tracker/commitment/"
TODAY = timezone.localdate()


def _days_ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


def _titles(response) -> list[str]:
    assert response.status_code == 200
    return sorted(c.title for c in response.context["cl"].result_list)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# Last reviewed


def test_recording_an_update_marks_the_commitment_reviewed_today(make_commitment):
    commitment = make_commitment()

    commitment.record_update(
        status=Status.ONGOING,
        as_of=datetime.date(2026, 2, 1),
        note="Meetings continue.",
        basis=Basis.SELF_REPORTED,
    )

    assert commitment.last_reviewed == TODAY
    commitment.refresh_from_db()
    assert commitment.last_reviewed == TODAY


def test_mark_reviewed_sets_today_on_the_selected_commitments_only(
    editor_client, editor, make_commitment
):
    first = make_commitment(title="First")
    second = make_commitment(title="Second")
    untouched = make_commitment(title="Untouched")

    response = editor_client.post(
        CHANGELIST,
        {"action": "mark_reviewed", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )

    assert _messages(response) == [f"Marked 2 commitments reviewed on {TODAY:%-d %B %Y}."]
    reviewed = dict(Commitment.objects.values_list("title", "last_reviewed"))
    assert reviewed == {"First": TODAY, "Second": TODAY, "Untouched": None}
    first.refresh_from_db()
    assert (first.version, first.updated_by) == (2, editor)
    untouched.refresh_from_db()
    assert untouched.version == 1
    assert sorted(LogEntry.objects.values_list("object_id", "change_message")) == sorted(
        [(str(first.pk), "Marked reviewed."), (str(second.pk), "Marked reviewed.")]
    )


def test_the_changelist_and_change_page_show_when_each_was_last_reviewed(
    editor_client, make_commitment
):
    make_commitment(title="Reviewed", last_reviewed=datetime.date(2026, 4, 2))
    never = make_commitment(title="Never")

    html = editor_client.get(CHANGELIST).content.decode()
    change = editor_client.get(f"{CHANGELIST}{never.pk}/change/").content.decode()

    assert '<td class="field-last_reviewed nowrap">2 April 2026</td>' in html
    assert '<td class="field-last_reviewed nowrap">-</td>' in html
    assert "Last reviewed:" in change


# "Needs review"


@pytest.fixture
def reviews(make_commitment, settings) -> None:
    settings.TRACKER_REVIEW_DAYS = 30
    make_commitment(title="Never reviewed")
    make_commitment(title="31 days ago", last_reviewed=_days_ago(31))
    make_commitment(title="30 days ago", last_reviewed=_days_ago(30))
    make_commitment(title="Today", last_reviewed=TODAY)


def test_needs_review_lists_those_never_or_not_recently_reviewed(editor_client, reviews):
    response = editor_client.get(CHANGELIST, {"review": "needed"})

    assert _titles(response) == ["31 days ago", "Never reviewed"]
    assert Commitment.objects.needs_review().count() == 2


def test_reviewed_recently_lists_the_others(editor_client, reviews):
    response = editor_client.get(CHANGELIST, {"review": "recent"})

    assert _titles(response) == ["30 days ago", "Today"]


def test_the_review_filter_says_how_often_reviews_are_due(editor_client, reviews):
    html = editor_client.get(CHANGELIST).content.decode()

    assert "By review (due every 30 days)" in html
    assert "Reviewed in the last 30 days" in html


def test_the_review_period_defaults_to_90_days():
    from django.conf import settings

    assert settings.TRACKER_REVIEW_DAYS == 90


# "Overdue"


@pytest.fixture
def deadlines(make_commitment) -> dict[str, Commitment]:
    def make(title, target, status=Status.IN_PROGRESS):
        return make_commitment(
            title=title, slug=title.lower().replace(" ", "-"), target_date=target, status=status
        )

    return {
        c.title: c
        for c in [
            make("Late", _days_ago(1)),
            make("Late and not started", _days_ago(400), Status.NOT_STARTED),
            make("Late but completed", _days_ago(1), Status.COMPLETED),
            make("Late but partly done", _days_ago(1), Status.PARTIALLY_COMPLETED),
            make("Late but discontinued", _days_ago(1), Status.DISCONTINUED),
            make("Late but superseded", _days_ago(1), Status.SUPERSEDED),
            make("Due today", TODAY),
            make("Due next year", TODAY + datetime.timedelta(days=365)),
            make("No target", None),
        ]
    }


def test_overdue_means_past_its_target_date_and_neither_done_nor_closed(deadlines):
    overdue = ["Late", "Late and not started"]

    assert sorted(Commitment.objects.overdue().values_list("title", flat=True)) == overdue
    assert sorted(title for title, c in deadlines.items() if c.is_overdue) == overdue


def test_the_overdue_filter_lists_them(editor_client, deadlines):
    assert _titles(editor_client.get(CHANGELIST, {"deadline": "overdue"})) == [
        "Late",
        "Late and not started",
    ]
    assert len(_titles(editor_client.get(CHANGELIST, {"deadline": "not_overdue"}))) == 7


def test_the_changelist_marks_overdue_rows_beside_their_status(editor_client, deadlines):
    html = editor_client.get(CHANGELIST, {"q": "Late but completed"}).content.decode()
    assert '<td class="field-current_status">Completed</td>' in html

    html = editor_client.get(CHANGELIST, {"q": "Late and not"}).content.decode()
    assert '<td class="field-current_status">Not started · ⚠ Overdue</td>' in html


def test_the_public_page_marks_an_overdue_commitment_in_words(client, deadlines):
    late = deadlines["Late"]

    response = client.get("/commitments/late/")

    html = response.content.decode()
    check_page(html)
    assert (
        '<p class="overdue"><span class="overdue__symbol" aria-hidden="true">⚠</span> Overdue: '
        f'the target date, <time datetime="{late.target_date:%Y-%m-%d}">'
        f"{late.target_date:%-d %B %Y}</time>, has passed</p>" in html
    )


@pytest.mark.parametrize("slug", ["late-but-completed", "due-today", "no-target"])
def test_the_public_page_does_not_mark_a_commitment_that_is_not_overdue(client, deadlines, slug):
    html = client.get(f"/commitments/{slug}/").content.decode()

    assert "Overdue" not in html


def test_list_cards_mark_overdue_commitments(client, deadlines):
    html = client.get("/commitments/").content.decode()

    assert html.count('<p class="overdue">') == 2
    card = html[html.index(">Late and not started<") :]
    assert "Overdue: the target date" in card[: card.index("</li>")]
