"""The editors' daily task: "Update status" from the changelist, a focused form, the work queue."""

import datetime

from tracker.models import Basis, Status, StatusUpdate

CHANGELIST = "/admin/tracker/commitment/"


def _url(commitment) -> str:
    return f"/admin/tracker/commitment/{commitment.pk}/update-status/"


def _post(client, commitment, **overrides):
    data = {
        "status": Status.IN_PROGRESS,
        "as_of": "2026-03-02",
        "note": "Ministers agreed a timetable.",
        "evidence_url": "https://example.org/communique",
        "basis": Basis.SECRETARIAT_VERIFIED,
        "is_public": "on",
        "loaded_version": commitment.version,
    }
    data.update(overrides)
    return client.post(_url(commitment), data)


def test_each_changelist_row_links_to_its_update_status_form(editor_client, make_commitment):
    commitment = make_commitment(title="Connect data centres")

    html = editor_client.get(CHANGELIST).content.decode()

    assert f'href="{_url(commitment)}"' in html
    assert "status of “Connect data centres”" in html


def test_the_form_shows_the_quote_and_the_latest_updates_beside_it(editor_client, make_commitment):
    commitment = make_commitment(quote="Each nation will develop domestic data centres.")
    commitment.record_update(
        status=Status.NOT_STARTED, as_of=datetime.date(2026, 2, 1), note="Nothing yet.",
        basis=Basis.INDEPENDENT,
    )  # fmt: skip

    response = editor_client.get(_url(commitment))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Each nation will develop domestic data centres." in html
    assert "Nothing yet." in html
    assert "1 February 2026" in html
    for name in ("status", "as_of", "note", "evidence_url", "basis", "is_public"):
        assert f'name="{name}"' in html
    # The calendar: the admin's date widget.
    assert 'class="vDateField' in html


def test_saving_records_the_update_and_offers_the_next_commitment_to_review(
    editor_client, editor, make_commitment
):
    commitment = make_commitment(title="First")
    following = make_commitment(title="Second")

    response = _post(editor_client, commitment)

    assert response.status_code == 302
    assert response["Location"] == f"{CHANGELIST}?review=needed"
    update = StatusUpdate.objects.get()
    assert (update.status, update.as_of, update.author) == (
        Status.IN_PROGRESS, datetime.date(2026, 3, 2), editor,
    )  # fmt: skip
    commitment.refresh_from_db()
    assert (commitment.status, commitment.version) == (Status.IN_PROGRESS, 2)
    html = editor_client.get(response["Location"]).content.decode()
    assert "Recorded “In progress” on “First”, as of 2 March 2026." in html
    assert f'<a href="{_url(following)}">update the status of “Second”</a>' in html


def test_a_stale_form_is_refused_with_a_clear_message(editor_client, other_editor, make_commitment):
    commitment = make_commitment()
    opened_at = commitment.version
    commitment.record_update(
        status=Status.DELAYED, as_of=datetime.date(2026, 2, 1), note="Late.",
        basis=Basis.INDEPENDENT, author=other_editor,
    )  # fmt: skip

    response = _post(editor_client, commitment, loaded_version=opened_at)

    assert response.status_code == 200
    html = response.content.decode()
    assert "other-editor changed this commitment on" in html
    assert "Nothing has been saved. Its status is now Delayed, as of 1 February 2026" in html
    assert StatusUpdate.objects.count() == 1
    # The form now carries the latest version: saving again goes through.
    assert _post(editor_client, commitment, loaded_version=opened_at + 1).status_code == 302


def test_a_missing_note_is_reported_on_its_field(editor_client, make_commitment):
    commitment = make_commitment()

    response = _post(editor_client, commitment, note="")

    assert response.status_code == 200
    assert "Write a note saying why" in response.content.decode()
    assert not StatusUpdate.objects.exists()


def test_somebody_who_may_not_record_updates_is_refused(client, make_commitment):
    from tests import factories

    viewer = factories.make_user("viewer", is_staff=True)
    client.force_login(viewer)

    assert client.get(_url(make_commitment())).status_code == 403


def test_the_admin_home_shows_the_editors_work_queue(editor_client, make_commitment):
    make_commitment(title="Never reviewed")
    make_commitment(title="A draft", is_published=False)
    make_commitment(title="Late", target_date=datetime.date(2020, 1, 1))

    html = editor_client.get("/admin/").content.decode()

    assert "Your work queue" in html
    assert (
        '<a href="/admin/tracker/commitment/?review=needed"><strong class="work-queue__n">3' in html
    )
    assert (
        '<a href="/admin/tracker/commitment/?deadline=overdue"><strong class="work-queue__n">1'
        in html
    )
    assert (
        '<a href="/admin/tracker/commitment/?is_published__exact=0"><strong class="work-queue__n">1'
        in html
    )
    assert "Recently updated" in html
    assert "Update status<span" in html


def test_editors_see_one_date_format(editor_client, make_commitment):
    commitment = make_commitment(target_date=datetime.date(2030, 12, 31))
    commitment.record_update(
        status=Status.ONGOING, as_of=datetime.date(2026, 1, 15), note="x", basis=Basis.INDEPENDENT
    )

    html = editor_client.get(CHANGELIST).content.decode()

    assert "15 January 2026" in html
    assert "Jan. 15, 2026" not in html
