"""The fragments written in Python rather than included templates (issue 20): the commitment
cards, the status badge, the overdue notice, the bucket bar, the scorecard's cells and the
front page's earlier events. They escape whatever editors typed, say everything in the page's
language with the catalogues' own translations, and mark an English fallback as English."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from tests.factories import make_group, make_member
from tracker.models import Commitment, MemberProgress, Status, StatusUpdate
from tracker.templatetags.tracker_tags import (
    bucket_summary,
    commitment_cards,
    commitments_made_at,
    overdue_notice,
    promise,
    scorecard_cells,
    status_badge,
    update_list,
)
from tracker.views import _cards

HOSTILE = '<script>alert("x")</script>"><b onmouseover=x>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&quot;&gt;&lt;b onmouseover=x&gt;"


def _cards_of(*commitments) -> str:
    from tracker import figures

    rows = _cards(Commitment.objects.filter(pk__in=[c.pk for c in commitments]))
    return commitment_cards(figures.with_member_figures(rows))


def test_a_card_escapes_every_text_an_editor_typed(make_commitment, make_actor, make_theme, client):
    commitment = make_commitment(
        title=HOSTILE,
        owner=make_actor(name=HOSTILE),
        proposer=make_actor(name=HOSTILE),
        themes=[make_theme(name=HOSTILE)],
    )
    grouped = make_commitment(member_group=make_group(name=HOSTILE))

    html = _cards_of(commitment, grouped)

    assert "<script>" not in html and "<b " not in html
    # The title, the owner, the proposer, the theme and the member group, each escaped.
    assert html.count(ESCAPED) == 5
    page = client.get("/commitments/").content.decode()
    assert "<script>" not in page and page.count(ESCAPED) >= 5


def test_a_card_shows_who_delivers_proposes_and_the_themes_linked(
    make_commitment, make_actor, make_theme
):
    owner, proposer = make_actor(name="Ministry"), make_actor(name="Minister")
    themes = [make_theme(name="Trust"), make_theme(name="Infrastructure")]
    commitment = make_commitment(
        title="Build a bridge", owner=owner, proposer=proposer, themes=themes, kind="advice"
    )

    html = _cards_of(commitment)

    assert html.startswith('<li class="card">\n') and html.endswith("</li>\n")
    assert f'<a href="{commitment.get_absolute_url()}">Build a bridge</a>' in html
    assert f'<dd><a href="{owner.get_absolute_url()}">Ministry</a></dd>' in html
    assert f'<dt>Proposed by</dt><dd><a href="{proposer.get_absolute_url()}">Minister</a>' in html
    assert "<dt>Kind</dt><dd>Advice</dd>" in html
    links = ", ".join(f'<a href="{t.get_absolute_url()}">{t.name}</a>' for t in themes)
    assert f"<dt>Themes</dt><dd>{links}</dd>" in html
    assert 'as of <time datetime="2026-01-15">15 January 2026</time>' in html


def test_a_card_without_themes_has_no_themes_line(make_commitment):
    assert "Themes" not in _cards_of(make_commitment())


def test_a_per_member_card_counts_its_members_and_names_the_group(make_commitment):
    group = make_group(name="ASEAN")
    members = [make_member(group=group) for _ in range(3)]
    commitment = make_commitment(member_group=group)
    commitment.record_update(
        member=members[0],
        status=Status.COMPLETED,
        as_of=datetime.date(2026, 3, 1),
        note="Done.",
        basis="self_reported",
    )

    html = _cards_of(commitment)

    assert "<dd>Each ASEAN member state</dd>" in html
    assert "· member states: 1 of 3 done, 1 of 3 assessed" in html


def test_an_overdue_card_says_so_with_the_date(make_commitment):
    overdue = make_commitment(target_date=datetime.date(2026, 2, 1))
    on_time = make_commitment(target_date=datetime.date(2999, 1, 1))

    assert (
        '<p class="overdue"><span class="overdue__symbol" aria-hidden="true">⚠</span> Overdue: '
        'the target date, <time datetime="2026-02-01">1 February 2026</time>, has passed</p>'
    ) in _cards_of(overdue)
    assert "overdue" not in _cards_of(on_time)
    assert overdue_notice(datetime.date(2026, 2, 1)).endswith("</p>\n")


def test_a_card_on_a_translated_page_is_in_that_language(make_commitment, client):
    make_commitment(title="Build a bridge", title_vi="Xây một cây cầu")
    make_commitment(title="Only in English")

    html = client.get("/vi/commitments/").content.decode()

    assert "<dt>Bên phải thực hiện</dt>" in html and "<dt>Đề xuất bởi</dt>" in html
    assert 'tính đến <time datetime="2026-01-15">' in html
    assert ">Xây một cây cầu</a>" in html
    # No Vietnamese title written: the English one, marked as English for screen readers.
    assert '<span lang="en">Only in English</span>' in html


def test_a_badge_is_in_the_language_of_each_page_that_asks():
    # Badges are kept per language: English first must not give Vietnamese pages English.
    with translation.override("en"):
        english = status_badge(Status.COMPLETED, datetime.date(2026, 1, 15))
    with translation.override("vi"):
        vietnamese = status_badge(Status.COMPLETED, datetime.date(2026, 1, 15))

    assert "Completed" in english and "15 January 2026" in english
    assert "Completed" not in vietnamese and "tháng 1" in vietnamese
    assert 'data-status="completed"' in vietnamese


@pytest.mark.parametrize("status", [Status.DELAYED, Status.STALLED])
def test_delayed_and_stalled_badges_carry_their_own_colour(status):
    assert f'class="status status--active status--{status.value}"' in status_badge(status)


def test_a_bucket_bar_escapes_its_label_and_its_filter():
    html = bucket_summary({"done": 2, "pending": 1}, HOSTILE, 0, 'owner="x"&')

    assert "<script>" not in html and "<b " not in html
    assert f'aria-label="{ESCAPED}: 3 commitments: 1 pending, 2 done."' in html
    assert '?owner=&quot;x&quot;&amp;bucket=done"' in html


def test_a_bucket_bar_is_drawn_to_the_shared_scale():
    html = bucket_summary({"done": 1, "active": 2}, "Theme", largest=6)

    # Half the largest: the bar is 50 wide, the active segment from 0, the done one from 33.
    assert '<rect class="bucket--active" x="0" y="0" width="33" height="4">' in html
    assert '<rect class="bucket--done" x="33" y="0" width="17" height="4">' in html


def test_an_empty_bucket_bar_says_none():
    assert '<span class="muted">none</span>' in bucket_summary({}, "Theme")


def test_a_scorecard_row_shows_each_status_or_that_the_member_does_not_take_part(
    make_commitment,
):
    group = make_group()
    member = make_member(group=group)
    commitment = make_commitment(member_group=group)
    row = MemberProgress.objects.get(commitment=commitment, member=member)

    html = scorecard_cells([row, None])

    assert html.startswith('<td><span class="status status--pending"')
    assert html.endswith(
        '<td><span class="muted">Not tracked<span class="visually-hidden">: joined after the '
        "commitment was made</span></span></td>"
    )


def test_an_earlier_event_line_escapes_the_event(make_source):
    source = make_source(event_name=HOSTILE, event_place=HOSTILE, slug="summit")
    source.num_commitments = 1

    html = commitments_made_at(source, "/commitments/")

    assert "<script>" not in html and html.count(ESCAPED) == 2
    assert html.startswith('<a href="/commitments/?source=summit">1 commitment</a> made at the ')


def test_a_timeline_escapes_notes_names_and_links_and_keeps_the_notes_lines(make_commitment):
    group = make_group(name="Group")
    member = make_member(group=group, name=HOSTILE)
    commitment = make_commitment(member_group=group, title=HOSTILE)
    first = commitment.record_update(
        member=member,
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 2, 1),
        note=f"{HOSTILE}\n\nSecond paragraph",
        basis="self_reported",
        evidence_url='https://example.org/?a=1&b="2"',
    )
    commitment.record_update(
        member=member,
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 2, 2),
        note="The first one was wrong.",
        basis="self_reported",
        corrects=first,
    )
    updates = StatusUpdate.objects.select_related("commitment", "member").for_timeline()

    html = update_list(updates, "None yet.", show_commitment=True)

    assert "<script>" not in html and "<b " not in html
    # The commitment's title, twice the member's name and the note.
    assert html.count(ESCAPED) == 5
    assert f"<p>{ESCAPED}</p>\n\n<p>Second paragraph</p>" in html
    assert 'href="https://example.org/?a=1&amp;b=&quot;2&quot;"' in html
    assert (
        f'Corrects <a href="{commitment.get_absolute_url()}#update-{first.pk}">the update of '
        "1 February 2026</a>"
    ) in html


def test_a_commitments_own_change_is_marked_where_members_set_its_status(make_commitment):
    # Recorded before the commitment was carried out member by member (legacy data): the page
    # of a per-member commitment passes per_member.
    commitment = make_commitment(status=Status.IN_PROGRESS)
    updates = StatusUpdate.objects.filter(commitment=commitment).for_timeline()

    assert "update__legacy" in update_list(updates, "None yet.", per_member=True)
    assert "update__legacy" not in update_list(updates, "None yet.")


def test_an_empty_timeline_says_so():
    assert update_list([], "No updates <yet>.") == (
        '\n<p class="muted">No updates &lt;yet&gt;.</p>\n\n'
    )


def test_a_front_page_promise_escapes_its_texts_and_says_when_it_is_overdue(
    make_commitment, make_actor
):
    overdue = make_commitment(
        title=HOSTILE, owner=make_actor(name=HOSTILE), target_date=datetime.date(2026, 2, 1)
    )
    grouped = make_commitment(member_group=make_group(name=HOSTILE))

    html = promise(overdue) + promise(grouped)

    assert "<script>" not in html and "<b " not in html and html.count(ESCAPED) == 3
    assert ' <span class="overdue">⚠ Overdue</span><span class="promise__owner">' in html
    assert "Each " + ESCAPED + " member state</span>" in html
