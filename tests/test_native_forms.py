"""Names, dates, numbers and "4 of 11" as a native reader writes them (issue 22, point 4).

Each page is rendered in Vietnamese and Bahasa Indonesia with data large enough to need a
thousands separator (1,236 commitments, 1,100 updates on one of them) and a commitment that
each of ASEAN's eleven member states carries out, then read as a reader reads it: the forms
docs/glossary.md fixes ("Counts and ranges", "Dates and numbers") are asserted, and the
English or half-English forms a translation could slip into are asserted absent.
"""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.conf import settings

from tests import factories
from tracker.models import (
    ActorKind,
    Commitment,
    ContentVersion,
    Status,
    StatusUpdate,
)

BULK = 1234
UPDATES = 1100
# The bulk, "tracked" and "busy": every published commitment.
PUBLISHED = BULK + 2

ASEAN = [
    ("brunei-darussalam", "Brunei Darussalam", "Bru-nây", "Brunei Darussalam"),
    ("cambodia", "Cambodia", "Cam-pu-chia", "Kamboja"),
    ("indonesia", "Indonesia", "In-đô-nê-xi-a", "Indonesia"),
    ("lao-pdr", "Lao PDR", "Lào", "Laos"),
    ("malaysia", "Malaysia", "Ma-lai-xi-a", "Malaysia"),
    ("myanmar", "Myanmar", "Mi-an-ma", "Myanmar"),
    ("philippines", "Philippines", "Phi-líp-pin", "Filipina"),
    ("singapore", "Singapore", "Xin-ga-po", "Singapura"),
    ("thailand", "Thailand", "Thái Lan", "Thailand"),
    ("timor-leste", "Timor-Leste", "Đông Ti-mo", "Timor-Leste"),
    ("viet-nam", "Viet Nam", "Việt Nam", "Vietnam"),
]

# English month names, but for those Indonesian spells the same (April, September, November).
_MONTHS = "January|February|March|May|June|July|August|October|December|Jan|Feb|Mar|Jun|Jul"
_MONTHS += "|Aug|Oct|Dec"
ENGLISH_MONTHS = {
    "vi": re.compile(rf"\b({_MONTHS}|April|September|November|Apr|Sep|Sept|Nov)\b"),
    "id": re.compile(rf"\b({_MONTHS}|Apr|Sep|Sept|Nov)\b"),
}
INDONESIAN_MONTHS = (
    "Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember"
)
DATE = {
    "vi": re.compile(r"\b\d{1,2} tháng \d{1,2} năm \d{4}\b"),
    "id": re.compile(rf"\b\d{{1,2}} ({INDONESIAN_MONTHS}) \d{{4}}\b"),
}
# A whole number written with a thousands separator as English writes it ("1,236") or with
# none ("1236"); years are taken out first.
ENGLISH_GROUPING = re.compile(r"\b\d{1,3}(,\d{3})+\b")
UNGROUPED = re.compile(r"(?<![\d.,/-])\d{4,}(?![\d.,])")


@pytest.fixture(scope="module")
def _site(django_db_setup, django_db_blocker):
    # Every name given: the factories' default names carry a counter, which runs past 1,000
    # in a full run and would read as an ungrouped count.
    with factories.rolled_back_afterwards(django_db_blocker):
        group = factories.make_group(slug="asean", name="ASEAN")
        members = [
            factories.make_member(
                group=group, slug=slug, name=name, name_vi=vi, name_id=id_, position=n
            )
            for n, (slug, name, vi, id_) in enumerate(ASEAN, 1)
        ]
        source = factories.make_source(
            slug="summit",
            title="Report on the summit",
            event_name="The summit",
            event_date=datetime.date(2026, 1, 15),
        )
        theme = factories.make_theme(slug="infrastructure", name="Infrastructure")
        owner = factories.make_actor(slug="asean-owner", name="ASEAN")
        speaker = factories.make_actor(slug="speaker", name="A minister", kind=ActorKind.PERSON)
        common = {"source": source, "owner": owner, "proposer": speaker, "themes": [theme]}
        tracked = factories.make_commitment(
            slug="tracked", title="Build data centres", position=0, member_group=group, **common
        )
        # Four of the eleven assessed, one of them done: "4 of 11", "1 of 11".
        for member, status in zip(
            members,
            [Status.COMPLETED, Status.IN_PROGRESS, Status.IN_PROGRESS, Status.NOT_STARTED],
            strict=False,
        ):
            factories.record_member_status(tracked, member, status, as_of=datetime.date(2026, 3, 2))
        busy = factories.make_commitment(
            slug="busy",
            title="Lay a cable",
            position=1,
            target_date=datetime.date(2025, 6, 30),
            **common,
        )
        # Bulk-written for speed: no edit path, so no signal and no search index entry.
        StatusUpdate.objects.bulk_create(
            StatusUpdate(
                commitment=busy,
                status=Status.IN_PROGRESS,
                previous_status=Status.NOT_ASSESSED,
                as_of=datetime.date(2026, 1, 16) + datetime.timedelta(days=n),
                note=f"Progress report {n}.",
                basis="secretariat_verified",
            )
            for n in range(UPDATES)
        )
        bulk = Commitment.objects.bulk_create(
            Commitment(
                source=source,
                slug=f"bulk-{n}",
                title=f"Bulk commitment {n}",
                summary="A bulk commitment.",
                quote="The leaders promised to build a bridge.",
                position=10 + n,
                proposer=speaker,
                owner=owner,
                status=[Status.NOT_ASSESSED, Status.IN_PROGRESS, Status.COMPLETED][n % 3],
                status_date=datetime.date(2026, 1, 15),
                is_published=True,
            )
            for n in range(BULK)
        )
        Themes = Commitment.themes.through
        Themes.objects.bulk_create(Themes(commitment=c, theme=theme) for c in bulk)
        ContentVersion.bump()
        yield


@pytest.fixture
def site(_site, db):
    """The data above, built once for the module."""


@pytest.fixture(params=["vi", "id"])
def language(request) -> str:
    return request.param


def _say(language: str, vi: str, id_: str) -> str:
    return {"vi": vi, "id": id_}[language]


def _page(client, language: str, path: str) -> tuple[str, str]:
    """The page at `path` in `language`: (its HTML, its text as a reader reads it)."""
    response = client.get(f"/{language}{path}")
    assert response.status_code == 200, (path, response.status_code)
    markup = response.content.decode()
    text = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", markup)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return markup, re.sub(r"\s+", " ", text)


def _numbers_of(text: str, language: str) -> str:
    """The text without its dates and addresses, whose digits are not counts."""
    text = DATE[language].sub(" ", text)
    return re.sub(r"https?://\S+|/\S*\d\S*", " ", text)


PAGES = [
    "/",
    "/commitments/",
    "/commitments/?page=2",
    "/commitments/tracked/",
    "/commitments/busy/",
    "/commitments/busy/?page=2",
    "/themes/",
    "/themes/infrastructure/",
    "/actors/",
    "/actors/asean-owner/",
    "/sources/summit/",
    "/scorecard/",
    "/members/",
    "/members/viet-nam/",
    "/charts/",
]


# Dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/commitments/", "/commitments/busy/", "/sources/summit/"])
def test_dates_are_written_as_the_language_writes_them_and_no_english_month_is_left(
    site, client, language, path
):
    _, text = _page(client, language, path)
    assert DATE[language].search(text), text[:2000]
    assert _say(language, "15 tháng 1 năm 2026", "15 Januari 2026") in text
    assert not ENGLISH_MONTHS[language].search(text), ENGLISH_MONTHS[language].search(text)


# Numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_counts_over_a_thousand_carry_a_dot_between_thousands(site, client, language, path):
    """Counts as Vietnamese and Indonesian write them, "1.236": never "1236" nor "1,236"."""
    _, text = _page(client, language, path)
    numbers = _numbers_of(text, language)
    assert not UNGROUPED.search(numbers), UNGROUPED.search(numbers).group()
    assert not ENGLISH_GROUPING.search(numbers), ENGLISH_GROUPING.search(numbers).group()


def test_the_number_of_commitments_reads_1_236_on_every_page_that_counts_them(
    site, client, language
):
    word = _say(language, "cam kết", "komitmen")
    for path in ["/", "/commitments/", "/themes/", "/themes/infrastructure/", "/charts/"]:
        _, text = _page(client, language, path)
        assert "1.236" in text, path
    _, text = _page(client, language, "/commitments/")
    assert f"1.236 {word}" in text
    _, text = _page(client, language, "/sources/summit/")
    assert f"1.236 {word}" in text


def test_the_scores_decimals_take_a_comma(site, client, language):
    # The member states' mean: (+1 + 0 + 0 − 1) / 4 = 0.00; Brunei's own: +1.00.
    _, text = _page(client, language, "/scorecard/")
    assert "+1,00" in text
    assert "+1.00" not in text


def test_the_chart_descriptions_group_their_thousands_too(site, client, language):
    """The charts' descriptions (read by screen readers) are written in Python, not by a
    template: they must group thousands as the rest of the page does."""
    markup, _ = _page(client, language, "/charts/")
    descriptions = " ".join(re.findall(r'<desc id="[^"]*">([^<]*)</desc>', markup))
    assert descriptions
    assert "1.236" in descriptions
    assert not UNGROUPED.search(descriptions), UNGROUPED.search(descriptions).group()


# Machine values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/commitments/",
        "/commitments/?page=2",
        "/commitments/busy/?page=2",
        "/scorecard/",
        "/charts/",
        "/themes/infrastructure/",
    ],
)
def test_numbers_meant_for_machines_are_never_grouped(site, client, language, path):
    """Page numbers in links, anchors, a list's start and the charts' geometry stay plain
    digits: "?page=1.234" or id="update-1.100" would break the link or the anchor."""
    markup, _ = _page(client, language, path)
    attributes = re.findall(
        r'\s(?:href|src|id|start|value|viewBox|x|y|width|height|dy)="([^"]*)"', markup
    )
    grouped = [value for value in attributes if re.search(r"\d[.,]\d{3}(?!\d)", value)]
    assert not grouped, grouped[:5]


def test_the_updates_anchors_use_plain_digits(site, client, language):
    markup, _ = _page(client, language, "/commitments/busy/")
    anchors = re.findall(r'id="update-([^"]+)"', markup)
    assert anchors
    assert all(anchor.isdigit() for anchor in anchors), anchors[:5]


# "4 of 11", pages and ranges ------------------------------------------------------------------


def test_a_tracked_commitment_says_4_of_11_in_the_glossarys_form(site, client, language):
    _, text = _page(client, language, "/commitments/tracked/")
    assert (
        _say(
            language,
            "từ 4/11 quốc gia thành viên đã được đánh giá",
            "berdasarkan 4 dari 11 negara anggota yang telah dinilai",
        )
        in text
    )
    # The member states' spread: "1 of 11 completed".
    assert _say(language, "✓ 1/11 hoàn thành", "✓ 1 dari 11 selesai") in text


def test_the_list_says_of_11_member_states_in_the_glossarys_form(site, client, language):
    _, text = _page(client, language, "/commitments/")
    assert (
        _say(
            language,
            "quốc gia thành viên: 1/11 đã hoàn thành, 4/11 đã được đánh giá",
            "negara anggota: 1 dari 11 selesai, 4 dari 11 dinilai",
        )
        in text
    )


def test_the_scorecard_says_assessed_4_of_11(site, client, language):
    _, text = _page(client, language, "/scorecard/")
    assert _say(language, "đã đánh giá 4/11", "dinilai 4 dari 11") in text


def test_a_page_number_reads_page_2_of_50(site, client, language):
    _, text = _page(client, language, "/commitments/?page=2")
    assert _say(language, "Trang 2/50", "Halaman 2 dari 50") in text


def test_a_range_of_updates_reads_51_to_100_of_1_100(site, client, language):
    _, text = _page(client, language, "/commitments/busy/?page=2")
    assert (
        _say(
            language,
            "Cập nhật 51–100 trong tổng số 1.100, mới nhất trước.",
            "Pembaruan 51–100 dari 1.100, terbaru lebih dulu.",
        )
        in text
    )


def test_the_front_page_tiles_say_of_the_total_in_the_glossarys_form(site, client, language):
    _, text = _page(client, language, "/")
    # Two thirds of the bulk, and "tracked" (its status worked out from its members'), are
    # assessed.
    assessed = Commitment.objects.public().exclude(status=Status.NOT_ASSESSED).count()
    assessed_text = f"{assessed:,}".replace(",", ".")
    assert (
        _say(
            language,
            f"{assessed_text} trên tổng số 1.236",
            f"{assessed_text} dari 1.236",
        )
        in text
    )


@pytest.mark.parametrize("path", PAGES)
def test_no_english_or_half_translated_of_phrase_is_left(site, client, language, path):
    """Vietnamese writes "4/11" (or "trên tổng số" beside a tile's figure), never "4 trên 11"
    nor "trong số"; Indonesian "4 dari 11", never "dari 4 dari 11". Neither has "of"."""
    _, text = _page(client, language, path)
    assert not re.search(r"\d+ of \d+", text)
    if language == "vi":
        assert not re.search(r"\d+ trên \d", text), re.search(r".{30}\d+ trên \d.{30}", text)
        assert "trong số" not in text
    else:
        assert not re.search(r"dari \d+ dari", text)


# The admin -----------------------------------------------------------------------------------


def test_the_admins_work_queue_groups_its_counts(site, admin_client, language):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    markup = response.content.decode()
    counts = re.findall(r'<strong class="work-queue__n">([^<]*)</strong>', markup)
    # Never reviewed: every commitment but "tracked", whose members' updates the write path
    # recorded.
    assert "1.235" in counts, counts
    assert all(re.fullmatch(r"\d{1,3}(\.\d{3})*", count) for count in counts), counts


def test_the_admins_member_grid_writes_dates_in_the_language(site, admin_client, language):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    tracked = Commitment.objects.get(slug="tracked")
    response = admin_client.get(f"/admin/tracker/commitment/{tracked.pk}/members/")
    assert response.status_code == 200
    text = html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
    assert _say(language, "2 tháng 3 năm 2026", "2 Maret 2026") in text
    assert not ENGLISH_MONTHS[language].search(text), ENGLISH_MONTHS[language].search(text)
