"""The search documents stay in step with what they index, through every write path, within
the write's own transaction; `rebuild_search_index` writes them afresh and `--check` finds
any out of step (tracker/search.py)."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from tests.bench import write_import_dataset
from tracker import search, search_index
from tracker.models import Basis, Commitment, SearchDocument, Status


def _in_step() -> bool:
    return search_index.out_of_step() == []


def _ids(q: str) -> list[int]:
    return list(
        search.filter_and_rank(Commitment.objects.all(), search.parse(q)).values_list(
            "pk", flat=True
        )
    )


@pytest.fixture
def bridge(make_commitment):
    return make_commitment(title="Build a bridge")


def test_an_edit_through_the_write_path_is_found_at_once(bridge, editor):
    bridge.title = "Build a lighthouse"
    bridge.title_vi = "Xây ngọn hải đăng"
    bridge.save_edit(fields=["title", "title_vi"], user=editor)

    assert _ids("lighthouse") == [bridge.pk]
    assert _ids("hai dang") == [bridge.pk]
    assert _in_step()


def test_a_plain_save_and_a_partner_added_are_found(bridge, make_actor):
    bridge.summary = "Across the Mekong."
    bridge.save()
    bridge.partners.add(make_actor(name="River Commission"))

    assert _ids("mekong") == [bridge.pk]
    assert _ids("river commission") == [bridge.pk]
    assert _in_step()


def test_renaming_an_actor_rewrites_the_documents_of_its_commitments(make_commitment, make_actor):
    minister = make_actor(name="Nguyen Manh Hung")
    made = [make_commitment(proposer=minister), make_commitment(owner=minister)]
    partnered = make_commitment()
    partnered.partners.add(minister)

    minister.name_vi = "Nguyễn Mạnh Hùng"
    minister.save()

    assert sorted(_ids("Mạnh Hùng")) == sorted([c.pk for c in made] + [partnered.pk])
    assert _in_step()


def test_a_change_of_the_source_text_rewrites_the_passages(make_commitment, make_source):
    source = make_source(full_text="Nothing yet.\n\nLeaders will build a bridge.")
    commitment = make_commitment(source=source, quote="Leaders will build a bridge.")
    source.full_text = "Nothing yet.\n\nMinisters met on the ferry. Leaders will build a bridge."
    source.save()

    assert _ids("ferry") == [commitment.pk]
    assert _in_step()


def test_a_source_saved_without_a_change_of_text_leaves_the_documents(
    make_commitment, make_source, django_assert_max_num_queries
):
    source = make_source()
    for _ in range(5):
        make_commitment(source=source)
    source.title = "A better title"

    with django_assert_max_num_queries(4):  # the save, and the one check of the text
        source.save()


def test_an_update_and_a_member_update_are_found(make_commitment, make_group, editor):
    group = make_group(members=2)
    commitment = make_commitment(member_group=group)
    member = group.members.first()
    commitment.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 3, 1),
        note="Ground broken in the north.",
        basis=Basis.SELF_REPORTED,
        member=member,
        author=editor,
    )

    assert _ids("ground broken") == [commitment.pk]
    assert _in_step()


def test_one_save_with_many_updates_writes_the_document_once(
    make_commitment, make_group, editor, monkeypatch
):
    group = make_group(members=5)
    commitment = make_commitment(member_group=group)
    written = []
    monkeypatch.setattr(search_index, "_documents", _counting(search_index._documents, written))

    commitment.save_edit(
        member_updates=[
            {
                "member": member,
                "status": Status.IN_PROGRESS,
                "as_of": datetime.date(2026, 3, 1),
                "note": f"Started in {member.name}.",
                "basis": Basis.SELF_REPORTED,
            }
            for member in group.members.all()
        ],
        user=editor,
    )

    assert written == [[commitment.pk]]
    assert _in_step()


def _counting(function, calls):
    def counted(ids, using):
        calls.append(list(ids))
        return function(ids, using)

    return counted


def test_a_write_that_fails_leaves_the_document_as_it_was(bridge):
    with pytest.raises(RuntimeError), transaction.atomic():
        bridge.title = "Build a tunnel"
        bridge.save()
        raise RuntimeError("the write fails after the save")

    assert _ids("tunnel") == []
    assert _ids("bridge") == [bridge.pk]


def test_deleting_a_commitment_deletes_its_document(bridge):
    bridge.delete()

    assert not SearchDocument.objects.exists()


def test_import_commitments_writes_the_documents(tmp_path, db):
    path = tmp_path / "synthetic.json"
    write_import_dataset(path, 40, sources=3, tracked_every=5, members=3)

    err = StringIO()
    call_command("import_commitments", str(path), "--publish", stdout=StringIO(), stderr=err)
    assert not err.getvalue()

    assert SearchDocument.objects.count() == Commitment.objects.count() == 40
    assert _in_step()
    first = Commitment.objects.order_by("pk").first()
    assert first.pk in _ids(first.title)


def test_the_check_finds_a_document_changed_behind_the_apps_back_and_a_rebuild_mends_it(
    bridge, capsys
):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE tracker_searchdocument SET titles = 'tampered'")

    with pytest.raises(SystemExit) as exit:
        call_command("rebuild_search_index", "--check")
    assert exit.value.code == 1
    assert f"1 search document(s) missing or out of step, e.g. commitment {bridge.pk}" in (
        capsys.readouterr().err
    )

    call_command("rebuild_search_index")

    assert "Wrote 1 search document(s)" in capsys.readouterr().out
    call_command("rebuild_search_index", "--check")
    assert "Every search document is in step." in capsys.readouterr().out


def test_commitments_made_before_the_index_get_their_documents_after_migrate(bridge):
    SearchDocument.objects.all().delete()

    search_index._after_migrate(sender=None, using="default")

    assert _ids("bridge") == [bridge.pk]
