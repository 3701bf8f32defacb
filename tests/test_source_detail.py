"""/sources/<slug>/: the source's full text, its commitments, and where it comes from."""

import datetime
import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.html import check_page, h1_of
from tracker.models import Source


def test_the_source_page_shows_the_full_text_and_its_commitments(
    client, make_commitment, make_source
):
    source = make_source(
        slug="adgmin", title="Report on ADGMIN", author="Du Lam", full_text="First.\n\nSecond."
    )
    make_commitment(source=source, title="Connect data centres")

    response = client.get("/sources/adgmin/")

    assert response.status_code == 200
    html = response.content.decode()
    check_page(html)
    assert h1_of(html) == "Report on ADGMIN"
    assert "Du Lam" in html
    assert "<p>First.</p>" in html and "<p>Second.</p>" in html
    assert "Connect data centres" in html


def test_an_unknown_source_is_a_404(client, db):
    assert client.get("/sources/nothing/").status_code == 404


def test_the_source_page_runs_the_same_queries_for_one_or_fifty(
    client, make_commitment, make_source, django_assert_num_queries
):
    source = make_source(slug="s")
    make_commitment(source=source)
    # source, the content version, its figures (counted once per version), every quote (for the
    # highlighted text), a page of commitments with owner and proposer, their themes
    with django_assert_num_queries(6):
        client.get("/sources/s/")
    for _ in range(49):
        make_commitment(source=source)
    with django_assert_num_queries(6):
        client.get("/sources/s/")


def test_the_source_page_counts_only_what_is_there_and_links_only_to_lists_with_something_in_them(
    client, make_commitment, make_source
):
    source = make_source(slug="adgmin", event_name="ADGMIN")
    make_commitment(source=source)
    make_commitment(source=source)

    html = client.get("/sources/adgmin/").content.decode()

    assert 'aria-label="ADGMIN: 2 commitments: 2 pending."' in html
    assert 'href="/commitments/?source=adgmin&amp;bucket=pending"' in html
    assert "bucket=active" not in html and "0 done" not in html


# Where the source comes from: publisher, address, publication and retrieval dates


def _facts(html: str) -> dict[str, str]:
    """The source's facts list: each term → its description's HTML."""
    facts = html.split('<dl class="facts facts--wide">', 1)[1].split("</dl>", 1)[0]
    return dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", facts, re.S))


def test_the_source_page_shows_where_the_source_comes_from(client, make_commitment, make_source):
    source = make_source(
        slug="report",
        publisher="Example News",
        url="https://news.example.org/report",
        published_on=datetime.date(2026, 1, 16),
        retrieved_on=datetime.date(2026, 1, 20),
    )
    make_commitment(source=source)

    html = client.get("/sources/report/").content.decode()

    check_page(html)
    facts = _facts(html)
    assert facts["Publisher"] == "Example News"
    assert facts["Original"] == (
        '<a href="https://news.example.org/report" rel="noopener">'
        "https://news.example.org/report</a>"
    )
    assert facts["Published"] == '<time datetime="2026-01-16">16 January 2026</time>'
    assert facts["Retrieved"] == '<time datetime="2026-01-20">20 January 2026</time>'
    assert "not recorded" not in html


def test_what_is_not_known_about_a_source_is_said_to_be_not_recorded(
    client, make_commitment, make_source
):
    source = make_source(slug="report", publisher="", url="", published_on=None)
    make_commitment(source=source)

    html = client.get("/sources/report/").content.decode()

    check_page(html)
    facts = _facts(html)
    for term in ("Publisher", "Original", "Published", "Retrieved"):
        assert facts[term] == '<span class="muted">not recorded</span>', term
    # Never a guessed link.
    assert (
        'rel="noopener">'
        not in html.split('<dl class="facts facts--wide">', 1)[1].split("</dl>", 1)[0]
    )


def test_load_sources_accepts_a_retrieval_date(db, tmp_path):
    source = {
        "model": "tracker.source",
        "fields": {
            "slug": "new-source",
            "title": "A report",
            "event_name": "A summit",
            "event_place": "Jakarta",
            "event_date": "2026-03-01",
            "retrieved_on": "2026-03-05",
            "full_text": "They promised a bridge.",
        },
    }
    path = tmp_path / "new-source.json"
    path.write_text(json.dumps([source]), encoding="utf-8")

    call_command("load_sources", str(path), stdout=StringIO())

    assert Source.objects.get(slug="new-source").retrieved_on == datetime.date(2026, 3, 5)


def test_load_sources_refuses_a_retrieval_date_that_is_not_a_date(db, tmp_path):
    fields = {"slug": "s", "title": "T", "event_name": "E", "event_place": "P"}
    fields |= {"event_date": "2026-03-01", "full_text": "x", "retrieved_on": "last week"}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([{"model": "tracker.source", "fields": fields}]), "utf-8")

    with pytest.raises(CommandError, match="retrieved_on: must be a date"):
        call_command("load_sources", str(path), stdout=StringIO())


def test_editors_can_record_the_retrieval_date_in_the_admin(admin_client, make_source):
    source = make_source()

    html = admin_client.get(f"/admin/tracker/source/{source.pk}/change/").content.decode()

    assert 'name="retrieved_on"' in html
