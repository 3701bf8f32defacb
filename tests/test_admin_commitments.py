"""The commitments admin: changelist, search, filters, and recording a status update."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.forms import form_data
from tracker.admin import CommitmentAdmin
from tracker.models import WEB_URL_MESSAGE, Basis, Commitment, Status, StatusUpdate

CHANGELIST = "/admin/tracker/commitment/"


def _change_url(commitment: Commitment) -> str:
    return f"/admin/tracker/commitment/{commitment.pk}/change/"


def _form_data(client, url: str, **changes) -> dict[str, list[str]]:
    """The change form's data as a browser would post it, with some fields changed."""
    data = form_data(client, url, "commitment_form", **changes)
    assert "title" in data, "the change form was not found on the page"
    return data


def _record(client, commitment: Commitment, **fields):
    if "new_status" in fields:
        fields.setdefault("basis", Basis.SECRETARIAT_VERIFIED)
    data = _form_data(client, _change_url(commitment), **fields)
    return client.post(_change_url(commitment), data, follow=True)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# The changelist


def test_the_changelist_shows_each_commitment_with_its_status_themes_and_last_update(
    admin_client, make_commitment, make_theme, make_actor
):
    roads = make_theme(name="Roads", position=1)
    water = make_theme(name="Water", position=2)
    owner = make_actor(name="Ministry of Transport")
    updated = make_commitment(title="Build the coast road", owner=owner, themes=[roads, water])
    updated.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 3, 1),
        note="Tender issued.",
        basis=Basis.SELF_REPORTED,
    )
    make_commitment(title="Clean the river", is_published=False)

    response = admin_client.get(CHANGELIST)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Build the coast road" in html
    assert "Clean the river" in html
    assert '<td class="field-current_status">In progress</td>' in html
    assert '<td class="field-current_status">Not yet assessed</td>' in html
    assert "Ministry of Transport" in html
    assert '<td class="field-last_update nowrap">1 March 2026</td>' in html
    assert '<td class="field-last_update">—</td>' in html


def test_the_changelist_shows_the_latest_update_date_not_the_first(admin_client, make_commitment):
    commitment = make_commitment()
    commitment.record_update(
        status=Status.NOT_STARTED,
        as_of=datetime.date(2026, 2, 1),
        note="a",
        basis=Basis.SELF_REPORTED,
    )
    commitment.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 4, 9),
        note="b",
        basis=Basis.SELF_REPORTED,
    )

    response = admin_client.get(CHANGELIST)

    assert [c.last_update for c in response.context["cl"].result_list] == [
        datetime.date(2026, 4, 9)
    ]


def test_searching_finds_a_commitment_by_a_word_of_its_quote(admin_client, make_commitment):
    make_commitment(title="Bridge", quote="We will span the estuary by 2030.")
    make_commitment(title="Road", quote="We will pave the coast road.")

    response = admin_client.get(CHANGELIST, {"q": "estuary"})

    assert [c.title for c in response.context["cl"].result_list] == ["Bridge"]


def test_searching_finds_a_commitment_by_its_owners_name(admin_client, make_commitment, make_actor):
    make_commitment(title="Bridge", owner=make_actor(name="Ministry of Transport"))
    make_commitment(title="Clinic", owner=make_actor(name="Ministry of Health"))

    response = admin_client.get(CHANGELIST, {"q": "transport"})

    assert [c.title for c in response.context["cl"].result_list] == ["Bridge"]


def test_a_search_matching_several_partners_lists_the_commitment_once(
    admin_client, make_commitment, make_actor
):
    partners = [make_actor(name="Ministry of Finance"), make_actor(name="Ministry of Works")]
    owner = make_actor(name="Ministry of Transport")
    make_commitment(title="Bridge", owner=owner, partners=partners)
    make_commitment(title="Clinic", owner=make_actor(name="Health board"))

    response = admin_client.get(CHANGELIST, {"q": "ministry"})

    cl = response.context["cl"]
    assert [c.title for c in cl.result_list] == ["Bridge"]
    assert cl.result_count == 1
    assert "1 result (" in response.content.decode()


def _has_each_word(commitment: Commitment, term: str) -> bool:
    """Each word of the search in the title, summary, quote or an actor's name (Django's
    documented rule; quoted words stay together)."""
    texts = [commitment.title, commitment.summary, commitment.quote]
    texts += [commitment.proposer.name, commitment.owner.name]
    texts += [partner.name for partner in commitment.partners.all()]
    words = [w.strip('"') for w in re.findall(r'"[^"]*"|\S+', term)]
    return all(any(word.lower() in text.lower() for text in texts) for word in words)


@pytest.mark.parametrize(
    "term",
    ["ministry", "finance works", "finance bridge", "board", "ministry health", '"of works"', "zz"],
)
def test_a_search_finds_each_commitment_with_every_word_once_without_distinct(
    admin_client, make_commitment, make_actor, term
):
    finance, works = make_actor(name="Ministry of Finance"), make_actor(name="Board of Works")
    make_commitment(title="Bridge", quote="We will build it.", partners=[finance, works])
    make_commitment(title="Clinic", owner=make_actor(name="Ministry of Health"), partners=[works])
    make_commitment(title="Finance bridge", quote="We will fund it.", partners=[])
    make_commitment(title="Road", quote="We will pave it.")
    expected = [c.title for c in Commitment.objects.all() if _has_each_word(c, term)]

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(CHANGELIST, {"q": term})

    cl = response.context["cl"]
    assert [c.title for c in cl.result_list] == expected
    assert cl.result_count == len(expected)
    # A page read in the list's order and a plain count, not every match sorted twice.
    distinct = ('SELECT DISTINCT "tracker_commitment"', "FROM (SELECT DISTINCT")
    assert not [q["sql"] for q in queries.captured_queries if q["sql"].startswith(distinct)]


def test_words_of_a_search_may_name_different_partners(admin_client, make_commitment, make_actor):
    # Django's own search looked for every word in one partner's name.
    partners = [make_actor(name="Ministry of Finance"), make_actor(name="Board of Works")]
    make_commitment(title="Bridge", partners=partners)

    response = admin_client.get(CHANGELIST, {"q": "finance works"})

    assert [c.title for c in response.context["cl"].result_list] == ["Bridge"]


def test_filters_narrow_the_changelist_by_status_theme_owner_source_and_publication(
    admin_client, make_commitment, make_theme, make_actor, make_source
):
    roads = make_theme(name="Roads")
    owner = make_actor(name="Ministry of Transport")
    source = make_source(title="Hanoi summit report")
    started = make_commitment(title="Started", themes=[roads])
    started.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 2, 1),
        note="Go.",
        basis=Basis.SELF_REPORTED,
    )
    make_commitment(title="Owned", owner=owner, source=source)
    make_commitment(title="Draft", is_published=False)

    def titles(**params) -> list[str]:
        response = admin_client.get(CHANGELIST, params)
        assert response.status_code == 200
        return sorted(c.title for c in response.context["cl"].result_list)

    assert titles(status__exact=Status.IN_PROGRESS) == ["Started"]
    assert titles(themes__id__exact=roads.pk) == ["Started"]
    assert titles(owner__id__exact=owner.pk) == ["Owned"]
    assert titles(source__id__exact=source.pk) == ["Owned"]
    assert titles(is_published__exact=0) == ["Draft"]
    assert titles() == ["Draft", "Owned", "Started"]


def test_anonymous_visitors_are_sent_to_log_in(client, make_commitment):
    make_commitment(title="Bridge")

    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={CHANGELIST}"


# The change page: recording a status update


def test_recording_a_status_update_changes_the_status_and_writes_one_history_entry(
    admin_client, admin_user, make_commitment
):
    commitment = make_commitment(title="Bridge")

    response = _record(
        admin_client,
        commitment,
        new_status=Status.IN_PROGRESS,
        as_of="2026-03-01",
        note="The tender was issued.",
        evidence_url="https://example.org/tender",
    )

    assert response.redirect_chain[-1][0] == CHANGELIST
    assert "Status changed from Not yet assessed to In progress, as of 1 March 2026." in (
        _messages(response)
    )
    commitment.refresh_from_db()
    assert commitment.status == Status.IN_PROGRESS
    assert commitment.status_date == datetime.date(2026, 3, 1)
    update = StatusUpdate.objects.get(commitment=commitment)
    assert update.previous_status == Status.NOT_ASSESSED
    assert update.status == Status.IN_PROGRESS
    assert update.as_of == datetime.date(2026, 3, 1)
    assert update.note == "The tender was issued."
    assert update.evidence_url == "https://example.org/tender"
    assert update.is_public is True
    assert update.author == admin_user


def test_an_internal_note_cannot_change_the_status(admin_client, make_commitment):
    commitment = make_commitment(title="Bridge")

    response = _record(
        admin_client,
        commitment,
        new_status=Status.IN_PROGRESS,
        as_of="2026-03-01",
        note="The tender was issued.",
        is_public=[],  # unticked: internal
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["is_public"] == [
        "A change of status is always public. Tick “public”, or keep the current status "
        "(Not yet assessed) to record an internal note."
    ]
    commitment.refresh_from_db()
    assert commitment.status == Status.NOT_ASSESSED
    assert not StatusUpdate.objects.exists()


def test_a_progress_note_can_keep_the_current_status(admin_client, make_commitment):
    commitment = make_commitment()
    commitment.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 2, 1),
        note="a",
        basis=Basis.SELF_REPORTED,
    )

    response = _record(
        admin_client,
        commitment,
        new_status=Status.IN_PROGRESS,
        as_of="2026-03-01",
        note="Half of the piers are built.",
    )

    assert "Progress note recorded; the status stays In progress, as of 1 March 2026." in (
        _messages(response)
    )
    latest = StatusUpdate.objects.filter(commitment=commitment).latest()
    assert (latest.previous_status, latest.status) == (Status.IN_PROGRESS, Status.IN_PROGRESS)
    assert latest.is_public is True
    commitment.refresh_from_db()
    assert commitment.status_date == datetime.date(2026, 3, 1)


def test_saving_without_choosing_a_status_records_nothing(admin_client, make_commitment):
    commitment = make_commitment(title="Bridge")

    response = _record(admin_client, commitment, title="Build the bridge")

    assert response.redirect_chain[-1][0] == CHANGELIST
    commitment.refresh_from_db()
    assert commitment.title == "Build the bridge"
    assert commitment.status == Status.NOT_ASSESSED
    assert not StatusUpdate.objects.exists()


def test_a_new_status_without_a_note_is_refused_and_writes_nothing(admin_client, make_commitment):
    commitment = make_commitment(title="Bridge")

    response = _record(
        admin_client, commitment, title="Renamed", new_status=Status.COMPLETED, note=""
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["note"] == ["Write a note saying why: it is shown with the update."]
    assert "Write a note saying why" in response.content.decode()
    commitment.refresh_from_db()
    assert (commitment.title, commitment.status) == ("Bridge", Status.NOT_ASSESSED)
    assert not StatusUpdate.objects.exists()


def test_a_new_status_without_an_as_of_date_is_refused(admin_client, make_commitment):
    commitment = make_commitment()

    response = _record(
        admin_client, commitment, new_status=Status.COMPLETED, as_of="", note="Opened."
    )

    assert response.context["adminform"].form.errors["as_of"] == [
        "Give the date the new status describes."
    ]
    assert not StatusUpdate.objects.exists()


def test_a_future_as_of_date_is_refused(admin_client, make_commitment):
    commitment = make_commitment()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = _record(
        admin_client,
        commitment,
        new_status=Status.COMPLETED,
        as_of=tomorrow.isoformat(),
        note="It will open tomorrow.",
    )

    errors = response.context["adminform"].form.errors
    assert list(errors) == ["as_of"]
    assert "cannot be in the future" in errors["as_of"][0]
    commitment.refresh_from_db()
    assert commitment.status == Status.NOT_ASSESSED
    assert not StatusUpdate.objects.exists()


def test_a_note_without_a_status_is_refused_naming_the_status_field(admin_client, make_commitment):
    commitment = make_commitment()

    response = _record(
        admin_client,
        commitment,
        note="Ministers discussed it.",
        evidence_url="https://example.org/minutes",
    )

    errors = response.context["adminform"].form.errors
    assert list(errors) == ["new_status"]
    assert errors["new_status"] == [
        "Choose a new status to record the note and evidence URL with, or clear them. "
        "To keep the current status, choose it again."
    ]
    assert not StatusUpdate.objects.exists()


def test_posting_a_status_directly_does_not_change_it(admin_client, make_commitment):
    commitment = make_commitment(title="Bridge")

    response = _record(
        admin_client, commitment, title="Renamed", status=Status.COMPLETED, status_date="2020-01-01"
    )

    assert response.redirect_chain[-1][0] == CHANGELIST
    commitment.refresh_from_db()
    assert commitment.title == "Renamed"
    assert commitment.status == Status.NOT_ASSESSED
    assert commitment.status_date == datetime.date(2026, 1, 15)
    assert not StatusUpdate.objects.exists()


def test_a_save_racing_another_editors_update_is_refused_and_keeps_theirs(
    admin_client, make_commitment, monkeypatch
):
    commitment = make_commitment(title="Bridge")
    data = _form_data(admin_client, _change_url(commitment), title="Renamed")
    get_object = CommitmentAdmin.get_object

    def get_object_then_another_editor_records(self, request, object_id, from_field=None):
        # The admin holds its copy of the row, which passes the form's version check, while
        # somebody else records an update: only the conditional save can notice.
        obj = get_object(self, request, object_id, from_field)
        Commitment.objects.get(pk=obj.pk).record_update(
            status=Status.COMPLETED,
            as_of=datetime.date(2026, 5, 1),
            note="Opened.",
            basis=Basis.INDEPENDENT,
        )
        return obj

    monkeypatch.setattr(CommitmentAdmin, "get_object", get_object_then_another_editor_records)
    response = admin_client.post(_change_url(commitment), data, follow=True)

    assert response.redirect_chain[-1][0] == _change_url(commitment)
    assert _messages(response) == [
        "“Bridge” was changed by somebody else while you were editing it, so nothing was "
        "saved. Open it again to see the latest version, then make your change again."
    ]
    commitment.refresh_from_db()
    assert commitment.title == "Bridge"
    assert commitment.status == Status.COMPLETED
    assert commitment.status_date == datetime.date(2026, 5, 1)


def test_the_add_page_has_no_status_update_section(admin_client):
    response = admin_client.get("/admin/tracker/commitment/add/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Not yet assessed" in html
    assert "Record a status update" not in html
    assert 'name="new_status"' not in html
    assert 'name="status"' not in html


def test_the_change_page_shows_status_read_only_and_the_update_section(
    admin_client, make_commitment
):
    commitment = make_commitment()

    html = admin_client.get(_change_url(commitment)).content.decode()

    assert "Record a status update" in html
    assert 'name="new_status"' in html
    assert "— no update —" in html
    assert 'name="status"' not in html
    assert 'name="status_date"' not in html


# The change page: the read-only history


def test_the_change_page_lists_the_history_newest_first_without_edit_controls(
    admin_client, admin_user, make_commitment
):
    commitment = make_commitment()
    commitment.record_update(
        status=Status.NOT_STARTED,
        as_of=datetime.date(2026, 2, 1),
        note="Nothing yet.",
        basis=Basis.SELF_REPORTED,
    )
    commitment.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 3, 1),
        note="Tender issued.",
        evidence_url="https://example.org/tender",
        author=admin_user,
        basis=Basis.SELF_REPORTED,
    )

    response = admin_client.get(_change_url(commitment))

    html = response.content.decode()
    assert html.index("Tender issued.") < html.index("Nothing yet.")
    assert "Not started → In progress" in html
    assert "Not yet assessed → Not started" in html
    assert '<a href="https://example.org/tender" rel="noopener noreferrer">' in html
    assert "administrator" in html
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.prefix == "updates"
    assert formset.initial_form_count() == 2
    # Nothing to type into, tick or add: no inputs, no delete boxes, no blank row to copy.
    assert formset.max_num == 0
    assert 'name="updates-0-note"' not in html
    assert 'name="updates-0-DELETE"' not in html
    assert 'id="updates-empty"' not in html


def test_saving_a_commitment_with_history_leaves_the_history_untouched(
    admin_client, make_commitment
):
    commitment = make_commitment(title="Bridge")
    first = commitment.record_update(
        status=Status.NOT_STARTED,
        as_of=datetime.date(2026, 2, 1),
        note="Nothing yet.",
        basis=Basis.SELF_REPORTED,
    )
    commitment.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 3, 1),
        note="Tender issued.",
        basis=Basis.SELF_REPORTED,
    )
    data = _form_data(admin_client, _change_url(commitment), title="Renamed")
    # The read-only history still posts its management form; the save must not trip on it.
    assert data["updates-INITIAL_FORMS"] == ["2"]

    response = admin_client.post(_change_url(commitment), data)

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.title == "Renamed"
    assert commitment.status == Status.IN_PROGRESS
    assert StatusUpdate.objects.filter(commitment=commitment).count() == 2
    first.refresh_from_db()
    assert first.note == "Nothing yet."


def test_posting_made_up_history_rows_adds_none(admin_client, make_commitment):
    commitment = make_commitment()
    data = _form_data(
        admin_client,
        _change_url(commitment),
        **{
            "updates-TOTAL_FORMS": "1",
            "updates-0-status": Status.COMPLETED,
            "updates-0-previous_status": Status.NOT_ASSESSED,
            "updates-0-as_of": "2026-03-01",
            "updates-0-note": "Forged.",
        },
    )

    response = admin_client.post(_change_url(commitment), data)

    assert response.status_code == 302
    assert not StatusUpdate.objects.exists()
    commitment.refresh_from_db()
    assert commitment.status == Status.NOT_ASSESSED


# Query budget


@pytest.mark.parametrize("rows", [1, 50])
def test_the_changelist_runs_a_fixed_number_of_queries(
    rows,
    admin_client,
    make_commitment,
    make_theme,
    make_actor,
    make_source,
    django_assert_num_queries,
):
    themes = [make_theme(), make_theme()]
    owners = [make_actor() for _ in range(5)]
    source = make_source()
    for i in range(rows):
        commitment = make_commitment(
            source=source, owner=owners[i % 5], themes=themes, partners=owners[:2]
        )
        commitment.record_update(
            status=Status.IN_PROGRESS,
            as_of=datetime.date(2026, 2, 1),
            note="Tender issued.",
            basis=Basis.SELF_REPORTED,
        )

    # 1 session, 2 user, 3-5 the theme, owner and source filter choices, 6 the member states
    # for both member filters, 7 count of the filtered rows (no second count of all rows),
    # 8 the rows with their owners and (by subquery) their last-update dates and member
    # figures.
    with django_assert_num_queries(8):
        response = admin_client.get(CHANGELIST)

    # A page holds 25 rows (CommitmentAdmin.list_per_page): the rest are a page away.
    assert len(response.context["cl"].result_list) == min(rows, 25)


@pytest.mark.parametrize("rows", [1, 50])
def test_the_changelist_costs_an_editor_only_the_permission_queries_more(
    rows, editor_client, make_commitment, make_source, django_assert_num_queries
):
    source = make_source()
    for _ in range(rows):
        make_commitment(source=source)

    # As for an administrator (above), plus 3-4 the editor's own and group permissions. The
    # editable target dates and their version checks reuse the rows: no query per row.
    with django_assert_num_queries(10):
        response = editor_client.get(CHANGELIST)

    assert len(response.context["cl"].formset.forms) == min(rows, 25)


@pytest.mark.parametrize("updates", [1, 20])
def test_the_change_page_runs_a_fixed_number_of_queries_however_long_the_history(
    updates,
    admin_client,
    admin_user,
    make_commitment,
    make_theme,
    make_actor,
    django_assert_num_queries,
):
    commitment = make_commitment(
        themes=[make_theme(), make_theme()], partners=[make_actor(), make_actor()]
    )
    for i in range(updates):
        commitment.record_update(
            status=Status.IN_PROGRESS,
            as_of=datetime.date(2026, 1, 16) + datetime.timedelta(days=i),
            note=f"Update {i}.",
            author=admin_user,
            basis=Basis.SELF_REPORTED,
        )
    # Content types are cached per process; start cold so the count does not depend on
    # which test ran before.
    ContentType.objects.clear_cache()

    # 1 session, 2 user, 3 the commitment with its last-update date, 4 its themes
    # (prefetched), 5 its partners (the form's initial value), 6 the number of its updates
    # (for the snapshot that detects edits made meanwhile), 7 the history with each update's
    # commitment, author and corrected update (joined), 8-9 content types for the history and
    # the commitment, 10 source choices, 11-14 the chosen proposer, owner, partners and themes
    # shown in the autocomplete widgets, 15 the history again as the choices for "corrects".
    with django_assert_num_queries(15):
        response = admin_client.get(_change_url(commitment))

    assert response.context["inline_admin_formsets"][0].formset.initial_form_count() == updates


def test_a_status_update_recorded_in_the_admin_shows_on_the_public_page(
    admin_client, make_commitment
):
    commitment = make_commitment(title="Connect national data centres")

    _record(
        admin_client,
        commitment,
        new_status=Status.IN_PROGRESS,
        as_of="2026-03-02",
        note="Ministers agreed a timetable for linking data centres.",
        evidence_url="https://example.org/communique",
    )
    admin_client.logout()
    html = admin_client.get(commitment.get_absolute_url()).content.decode()

    assert 'data-status="in_progress"' in html.split("What was said")[0]
    assert 'as of <time datetime="2026-03-02">2 March 2026</time>' in html
    assert "Ministers agreed a timetable for linking data centres." in html
    assert 'href="https://example.org/communique"' in html


def test_the_changelist_shows_one_date_column_the_target_date(admin_client, make_commitment):
    make_commitment(title="Bridge", target_date=datetime.date(2030, 12, 31))

    html = admin_client.get(CHANGELIST).content.decode()
    headers = re.findall(r'<th scope="col"\s+class="[^"]*column-(\w+)', html)

    assert "target_date" in headers
    assert "overdue" not in headers
    assert ">Deadline<" not in html


def test_an_evidence_link_without_its_scheme_is_refused_not_completed(
    admin_client, make_commitment
):
    commitment = make_commitment()

    response = _record(
        admin_client,
        commitment,
        new_status=Status.IN_PROGRESS,
        as_of="2026-03-01",
        note="Tender issued.",
        evidence_url="asean.org/x",
    )

    assert response.context["adminform"].form.errors["evidence_url"] == [str(WEB_URL_MESSAGE)]
    assert not StatusUpdate.objects.exists()


def test_a_future_as_of_date_is_flagged_on_the_first_submit_with_the_other_errors(
    admin_client, make_commitment
):
    commitment = make_commitment()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = _record(
        admin_client, commitment, new_status=Status.COMPLETED, as_of=tomorrow.isoformat(), note=""
    )

    errors = response.context["adminform"].form.errors
    assert sorted(errors) == ["as_of", "note"]
    assert "cannot be in the future" in errors["as_of"][0]
    assert not StatusUpdate.objects.exists()


def test_an_editor_sets_the_kind_and_an_unknown_one_is_refused(editor_client, make_commitment):
    commitment = make_commitment(title="Pursue a balanced strategy")
    url = f"{CHANGELIST}{commitment.pk}/change/"

    refused = editor_client.post(url, _form_data(editor_client, url, kind="promise"))
    assert refused.status_code == 200
    assert "Select a valid choice. promise is not one of the available choices." in (
        refused.content.decode()
    )
    commitment.refresh_from_db()
    assert commitment.kind == "commitment"

    saved = editor_client.post(url, _form_data(editor_client, url, kind="advice"))
    assert saved.status_code == 302
    commitment.refresh_from_db()
    assert commitment.kind == "advice"
    assert "?kind__exact=advice" in editor_client.get(CHANGELIST).content.decode()
