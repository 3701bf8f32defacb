import datetime

from tests.html import check_page, h1_of, title_of
from tracker.models import Basis, Status


def test_the_page_shows_what_was_promised_by_whom_and_who_owns_it(
    client, make_commitment, make_actor, make_theme, make_source
):
    source = make_source(
        title="Report on ADGMIN 2026", event_name="ADGMIN", url="https://example.org/report"
    )
    commitment = make_commitment(
        slug="connect-data-centres",
        title="Connect national data centres",
        summary="Each nation should connect its data centres regionally.",
        quote="He proposed each nation develop domestic data centers and connect them regionally",
        heading="Digital infrastructure",
        source=source,
        proposer=make_actor(name="Pham Minh Chinh", role="Prime Minister of Viet Nam"),
        owner=make_actor(name="ASEAN member states", slug="member-states"),
        partners=[make_actor(name="ASEAN Secretariat")],
        themes=[make_theme(name="Infrastructure")],
        target_date=datetime.date(2030, 12, 31),
    )

    response = client.get("/commitments/connect-data-centres/")

    assert response.status_code == 200
    html = response.content.decode()
    check_page(html)
    assert h1_of(html) == "Connect national data centres"
    assert title_of(html).startswith("Connect national data centres ·")
    assert "Not yet assessed" in html
    assert "No evidence has been reviewed yet." in html
    assert 'as of <time datetime="2026-01-15">15 January 2026</time>' in html
    assert '<a href="/actors/member-states/">ASEAN member states</a>' in html
    assert "ASEAN Secretariat" in html
    assert "Pham Minh Chinh</a>, Prime Minister of Viet Nam" in html
    assert "Infrastructure" in html
    assert "31 December 2030" in html
    assert '<blockquote cite="https://example.org/report">' in html
    assert commitment.quote in html
    assert "under “Digital infrastructure”" in html
    assert f'href="/sources/{source.slug}/"' in html


def test_the_timeline_shows_public_updates_newest_first(client, make_commitment):
    commitment = make_commitment()
    commitment.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 3, 1),
        note="A working group met.",
        evidence_url="https://example.org/minutes",
        basis=Basis.SELF_REPORTED,
    )
    commitment.record_update(
        status=Status.COMPLETED,
        as_of=datetime.date(2026, 9, 1),
        note="Adopted.",
        basis=Basis.SELF_REPORTED,
    )

    html = client.get(commitment.get_absolute_url()).content.decode()

    assert html.index("1 September 2026") < html.index("1 March 2026")
    assert "A working group met." in html
    assert '<a href="https://example.org/minutes" rel="nofollow noopener">Evidence' in html
    # from → to, in words as well as symbols
    assert 'data-status="not_assessed"' in html
    assert "changed to" in html


def test_a_note_is_shown_as_text_never_as_html(client, make_commitment):
    commitment = make_commitment()
    commitment.record_update(
        status=Status.ONGOING,
        as_of=datetime.date(2026, 3, 1),
        note="<script>alert(1)</script>",
        basis=Basis.SELF_REPORTED,
    )

    html = client.get(commitment.get_absolute_url()).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_commitment_without_updates_says_none_are_published(client, make_commitment):
    commitment = make_commitment()

    html = client.get(commitment.get_absolute_url()).content.decode()

    assert "No updates have been published yet." in html
    assert "None announced" in html


def test_an_unknown_commitment_is_a_404(client, db):
    response = client.get("/commitments/no-such-thing/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_page_runs_the_same_queries_with_many_themes_and_updates(
    client, make_commitment, make_theme, django_assert_num_queries
):
    commitment = make_commitment(themes=[make_theme()])
    commitment.record_update(
        status=Status.ONGOING, as_of=datetime.date(2026, 2, 1), note="x", basis=Basis.SELF_REPORTED
    )
    # commitment (with source, owner, proposer), its themes, its partners, the number of its
    # public updates, one page of them
    with django_assert_num_queries(5):
        client.get(commitment.get_absolute_url())
    commitment.themes.add(*[make_theme() for _ in range(5)])
    for _ in range(49):
        commitment.record_update(
            status=Status.ONGOING,
            as_of=datetime.date(2026, 2, 1),
            note="x",
            basis=Basis.SELF_REPORTED,
        )
    with django_assert_num_queries(5):
        client.get(commitment.get_absolute_url())
