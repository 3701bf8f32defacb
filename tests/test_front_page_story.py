"""The front page tells the story: which event, who promised what, each status at a glance."""

import datetime

from tests.html import check_page
from tracker.models import Basis, Status


def test_it_lists_each_speaker_with_their_commitments_and_statuses(
    client, make_commitment, make_actor, make_source
):
    source = make_source(event_name="6th ASEAN Digital Ministers’ Meeting")
    minister = make_actor(name="Nguyen Manh Hung", role="Minister of Science and Technology")
    premier = make_actor(name="Pham Minh Chinh", role="Prime Minister")
    make_commitment(
        source=source, proposer=minister, position=1, title="Adopt a master plan", kind="proposal"
    )
    done = make_commitment(source=source, proposer=premier, position=2, title="Build citizens")
    done.record_update(
        status=Status.COMPLETED, as_of=datetime.date(2026, 3, 1), note="x", basis=Basis.INDEPENDENT
    )

    html = client.get("/").content.decode()

    check_page(html)
    assert "2 speakers made <strong>2 proposals, commitments and pieces of advice</strong>" in html
    story = html[html.index('id="promises-heading"') :]
    assert story.index("Nguyen Manh Hung") < story.index("Adopt a master plan")
    assert story.index("Adopt a master plan") < story.index("Pham Minh Chinh")
    assert story.index("Pham Minh Chinh") < story.index("Build citizens")
    assert "Prime Minister" in html
    # What kind of statement each is: a proposal is not read as a broken promise.
    master_plan = story[story.index("Adopt a master plan") :]
    assert master_plan.index("Proposal") < master_plan.index("Pham Minh Chinh")
    assert ">Who said what</h2>" in html and ">Who promised what<" not in html
    # Status as text and symbol, never colour alone.
    assert '<span class="status__symbol" aria-hidden="true">✓</span> Completed' in html
    assert '<span class="status__symbol" aria-hidden="true">?</span> Not yet assessed' in html


def test_the_newest_event_comes_first_when_there_are_several(client, make_commitment, make_source):
    older = make_source(event_name="Fifth meeting", event_date=datetime.date(2025, 1, 10))
    newer = make_source(event_name="Sixth meeting", event_date=datetime.date(2026, 1, 15))
    make_commitment(source=older, title="An old promise")
    make_commitment(source=newer, title="A new promise")

    html = client.get("/").content.decode()

    assert "At the <strong>Sixth meeting</strong>" in html
    assert "A new promise" in html
    # The older event is summarised below, with a link to its commitments.
    assert html.index("Sixth meeting") < html.index("Fifth meeting")
    assert f'href="/commitments/?source={older.slug}"' in html


def test_with_nothing_assessed_it_says_so_and_links_to_no_empty_list(client, make_commitment):
    for _ in range(3):
        make_commitment()

    html = client.get("/").content.decode()

    assert "No commitment has been assessed yet." in html
    for bucket in ("active", "done", "closed"):
        assert f"bucket={bucket}" not in html
    assert "status=not_assessed" in html
    assert "status=completed" not in html


def test_theme_bars_share_one_scale(client, make_commitment, make_theme):
    big, small = make_theme(name="Big"), make_theme(name="Small")
    for _ in range(4):
        make_commitment(themes=[big])
    make_commitment(themes=[small])

    html = client.get("/").content.decode()

    # The largest theme fills the bar; one with a quarter as many is a quarter as long.
    assert 'aria-label="Big: 4 commitments: 4 pending."' in html
    assert 'aria-label="Small: 1 commitment: 1 pending."' in html
    assert '<rect class="bucket--pending" x="0" y="0" width="100" height="4">' in html
    assert '<rect class="bucket--pending" x="0" y="0" width="25" height="4">' in html


def test_the_front_page_costs_the_same_queries_for_one_or_many_speakers(
    client, make_commitment, make_actor, make_source, django_assert_num_queries
):
    source = make_source()

    # the content version, the figures (every count, once per version), the sources, the newest
    # source's first commitments (with proposer and owner), how many speakers it had, the overdue
    # count, the latest updates; no theme or member state is public here, so theirs are not asked
    # for
    make_commitment(source=source)
    with django_assert_num_queries(7):
        assert client.get("/").status_code == 200
    for _ in range(30):
        make_commitment(source=source, proposer=make_actor(), owner=make_actor())
    with django_assert_num_queries(7):
        assert client.get("/").status_code == 200


def test_a_per_member_commitment_names_each_member_state_as_who_must_deliver_it(
    client, make_commitment, make_group
):
    group = make_group(name="ASEAN", members=2)
    make_commitment(title="Develop data centres", member_group=group)

    html = client.get("/").content.decode()

    row = html[html.index("Develop data centres") :]
    assert "Each ASEAN member state" in row[: row.index("</li>")]
