"""/about/: who publishes the tracker, how to reach them and ask for a correction, how it
works, and the licence of its data; the publisher and licence in every page's footer."""

from __future__ import annotations

import html as html_lib
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.checks import run_checks

from tests.html import check_page, h1_of


@pytest.fixture
def publisher(settings):
    settings.TRACKER_PUBLISHER = "Example Research Group"
    settings.TRACKER_PUBLISHER_URL = "https://research.example.org/"
    settings.TRACKER_CONTACT_EMAIL = "corrections@tracker.example.org"
    settings.TRACKER_DATA_LICENSE_NAME = "CC BY 4.0"
    settings.TRACKER_DATA_LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"


def _mailto(html: str) -> str:
    start = html.index('href="mailto:corrections@tracker.example.org?') + len('href="')
    return html_lib.unescape(html[start : html.index('"', start)])


def test_the_about_page_names_the_publisher_contact_corrections_method_and_licence(
    client, db, publisher
):
    response = client.get("/about/")

    assert response.status_code == 200
    html = response.content.decode()
    check_page(html)
    assert h1_of(html) == "About this tracker"
    assert 'href="https://research.example.org/" rel="noopener">Example Research Group</a>' in html
    assert '<a href="mailto:corrections@tracker.example.org">' in html
    assert "To ask for a correction, send:" in html
    assert 'href="/scorecard/methodology/"' in html
    assert 'href="/statuses/"' in html
    licence = 'href="https://creativecommons.org/licenses/by/4.0/" rel="license noopener">CC BY 4.0'
    assert licence in html
    assert "Suggested citation:" in html
    assert "Example Research Group, http://testserver/, licensed under CC BY 4.0" in html


def test_the_correction_link_opens_a_message_with_a_subject_and_what_to_include(
    client, db, publisher
):
    url = urlsplit(_mailto(client.get("/about/").content.decode()))
    query = parse_qs(url.query)

    assert url.path == "corrections@tracker.example.org"
    assert query["subject"] == ["Correction request"]
    assert "Page address" in query["body"][0]
    assert "What is wrong" in query["body"][0]
    assert "evidence" in query["body"][0]


def test_without_a_contact_address_the_page_says_so_and_points_to_the_publishers_site(
    client, db, publisher, settings
):
    settings.TRACKER_CONTACT_EMAIL = ""

    html = client.get("/about/").content.decode()

    check_page(html)
    assert "This deployment of the tracker has not set a contact address." in html
    assert "mailto:" not in html
    assert "send them to Example Research Group through" in html


def test_without_a_contact_or_a_site_the_page_still_says_what_a_reader_can_do(client, db, settings):
    settings.TRACKER_CONTACT_EMAIL = ""
    settings.TRACKER_PUBLISHER_URL = ""

    html = client.get("/about/").content.decode()

    check_page(html)
    assert "This deployment of the tracker has not set a contact address." in html
    assert "check each item against the source it quotes" in html
    # The documented default: a neutral name, no invented organisation.
    assert "This tracker is published by Policy Commitments Tracker" in html


def test_the_settings_decide_what_the_page_shows(client, db, settings):
    settings.TRACKER_PUBLISHER = "Another Publisher"
    settings.TRACKER_PUBLISHER_URL = ""
    settings.TRACKER_CONTACT_EMAIL = "desk@another.example.net"
    settings.TRACKER_DATA_LICENSE_NAME = "ODC-By 1.0"
    settings.TRACKER_DATA_LICENSE_URL = "https://opendatacommons.org/licenses/by/1-0/"

    html = client.get("/about/").content.decode()

    assert "This tracker is published by Another Publisher" in html
    assert "mailto:desk@another.example.net" in html
    licence = 'href="https://opendatacommons.org/licenses/by/1-0/" rel="license noopener">ODC-By'
    assert licence in html
    assert "CC BY 4.0" not in html


@pytest.mark.parametrize(
    ("url", "language", "heading", "corrections"),
    [
        ("/vi/about/", "vi", "Giới thiệu về công cụ theo dõi này", "Đính chính"),
        ("/id/about/", "id", "Tentang pelacak ini", "Koreksi"),
    ],
)
def test_the_about_page_answers_in_vietnamese_and_indonesian(
    client, db, publisher, url, language, heading, corrections
):
    response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert "Example Research Group" in html
    assert "mailto:corrections@tracker.example.org" in html
    assert 'href="/' + language + '/scorecard/methodology/"' in html
    assert 'rel="license noopener">CC BY 4.0' in html
    assert h1_of(html) == heading
    assert corrections in html
    assert "About this tracker" not in html


@pytest.mark.parametrize("kind", ["front page", "list", "commitment", "data", "about", "source"])
def test_every_page_links_to_the_about_page_and_the_licence(
    client, make_commitment, publisher, kind
):
    commitment = make_commitment()
    url = {
        "front page": "/",
        "list": "/commitments/",
        "commitment": commitment.get_absolute_url(),
        "data": "/data/",
        "about": "/about/",
        "source": commitment.source.get_absolute_url(),
    }[kind]

    html = client.get(url).content.decode()

    head, footer = html.split("</head>", 1)[0], html.split('<footer class="site-footer">', 1)[1]
    assert '<link rel="license" href="https://creativecommons.org/licenses/by/4.0/">' in head
    assert 'href="/about/"' in footer
    assert (
        'Data licence: <a href="https://creativecommons.org/licenses/by/4.0/" '
        'rel="license noopener">CC BY 4.0</a>' in footer
    )
    assert 'Published by <a href="https://research.example.org/"' in footer


def test_the_footer_links_to_the_about_page_in_the_pages_language(client, make_commitment):
    make_commitment()

    html = client.get("/vi/commitments/").content.decode()

    assert 'href="/vi/about/"' in html.split('<footer class="site-footer">', 1)[1]


def test_the_about_page_is_in_the_sitemap_in_each_language(client, db):
    from tests.test_sitemap import sitemap

    urls = sitemap(client)

    for prefix in ("", "/vi", "/id"):
        assert f"http://testserver{prefix}/about/" in urls


def test_the_about_page_is_served_from_the_page_cache(client, db, publisher, page_cache):
    first = client.get("/about/")
    second = client.get("/about/")

    assert first.content == second.content
    assert "Example Research Group" in second.content.decode()


def test_a_new_publisher_is_shown_at_once_though_the_content_is_unchanged(
    client, db, publisher, page_cache, settings
):
    first = client.get("/about/")
    settings.TRACKER_PUBLISHER = "A Renamed Publisher"

    # A browser revalidating the page it kept gets the new one, not a 304.
    second = client.get("/about/", headers={"if-none-match": first["ETag"]})

    assert second.status_code == 200
    assert "A Renamed Publisher" in second.content.decode()


def test_the_deployment_checklist_warns_without_a_contact_address(settings):
    settings.TRACKER_CONTACT_EMAIL = ""

    warnings = [m for m in run_checks(include_deployment_checks=True) if m.id == "tracker.W001"]

    assert len(warnings) == 1
    assert "TRACKER_CONTACT_EMAIL" in warnings[0].msg


def test_the_deployment_checklist_is_quiet_with_a_contact_address(settings):
    settings.TRACKER_CONTACT_EMAIL = "corrections@tracker.example.org"

    ids = [m.id for m in run_checks(include_deployment_checks=True)]

    assert "tracker.W001" not in ids


def test_the_contact_check_runs_only_for_deployment(settings):
    settings.TRACKER_CONTACT_EMAIL = ""

    assert "tracker.W001" not in [m.id for m in run_checks()]
