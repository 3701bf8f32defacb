"""The figures kept under the content version (tracker.figures) equal a fresh count after
any sequence of writes, so every write path moves the version on: the shell, the admin's change
form, its bulk actions (status, publish, unpublish, delete), the member grid, many-to-many
changes from either side, plain saves that move a commitment to another owner or source,
changes of member group, deletes of themes and actors, and the two loaders. Drafts never
count."""

from __future__ import annotations

import contextlib
import datetime
import json
import tempfile
from io import StringIO
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from tests import factories
from tests.forms import form_data
from tracker import figures
from tracker.models import Basis, Commitment, Status

EVENT = datetime.date(2026, 1, 15)
CHANGELIST = "/admin/tracker/commitment/"


def _as_of(days: int) -> datetime.date:
    return EVENT + datetime.timedelta(days=days)


class Writes(RuleBasedStateMachine):
    """A small site, written to at random; after each step the figures are checked."""

    def __init__(self):
        super().__init__()
        self.day = 0
        self.group, self.members, _ = factories.make_scorecard(members=3, commitments=0)
        self.sources = [factories.make_source(event_date=EVENT) for _ in range(2)]
        self.actors = [factories.make_actor() for _ in range(4)]
        self.themes = [factories.make_theme() for _ in range(3)]
        self.commitments = []
        for i in range(4):
            self.commitments.append(
                factories.make_commitment(
                    source=self.sources[i % 2],
                    owner=self.actors[i % 4],
                    proposer=self.actors[(i + 1) % 4],
                    themes=self.themes[: i % 3],
                    partners=self.actors[2:3] if i % 2 else [],
                    member_group=self.group if i == 0 else None,
                    is_published=i != 3,
                )
            )
        self.client = Client()
        user = factories.make_user(f"admin-{self.sources[0].pk}", is_superuser=True)
        self.client.force_login(user)

    def _next_day(self) -> datetime.date:
        # Every update is dated after the last one, so the timeline rule never refuses it.
        self.day += 1
        return _as_of(self.day)

    def _live(self) -> list[Commitment]:
        return list(Commitment.objects.filter(pk__in=[c.pk for c in self.commitments]))

    @rule(i=st.integers(0, 9), status=st.sampled_from(Status.values), public=st.booleans())
    def record_in_the_shell(self, i, status, public):
        commitment = self._live()[i % len(self._live())]
        # A status change marked internal is refused, and nothing is written.
        with contextlib.suppress(ValidationError):
            commitment.record_update(
                status=status,
                as_of=self._next_day(),
                note="From the shell.",
                basis=Basis.SELF_REPORTED,
                is_public=public,
            )

    @rule(i=st.integers(0, 9), status=st.sampled_from(Status.values), owner=st.integers(0, 3))
    def save_the_admin_form(self, i, status, owner):
        commitment = self._live()[i % len(self._live())]
        url = f"{CHANGELIST}{commitment.pk}/change/"
        data = form_data(
            self.client,
            url,
            "commitment_form",
            owner=str(self.actors[owner].pk),
            themes=[str(self.themes[owner % 3].pk)],
            new_status=status,
            as_of=self._next_day().isoformat(),
            note="From the admin.",
            basis=Basis.SELF_REPORTED,
        )
        response = self.client.post(url, data)
        # A per-member commitment's status is its members': changing it is refused.
        refused = commitment.member_group_id is not None and status != commitment.status
        if refused:
            assert response.status_code == 200
        else:
            assert response.status_code == 302, response.context["adminform"].form.errors

    @rule(status=st.sampled_from(Status.values), picks=st.sets(st.integers(0, 9), min_size=1))
    def bulk_status_change(self, status, picks):
        live = self._live()
        chosen = {live[i % len(live)] for i in picks}
        response = self.client.post(
            CHANGELIST,
            {
                "action": "change_status",
                "_selected_action": [c.pk for c in chosen],
                "apply": "Record",
                **{f"version-{c.pk}": c.version for c in chosen},
                "status": status,
                "as_of": self._next_day().isoformat(),
                "note": "In bulk.",
                "basis": Basis.SELF_REPORTED,
                "is_public": "on",
            },
        )
        # Refused whole (the form again) when it would set a per-member commitment's status.
        refused = any(c.member_group_id and status != c.status for c in chosen)
        assert response.status_code == (200 if refused else 302)

    @rule(action=st.sampled_from(["publish", "unpublish"]), picks=st.sets(st.integers(0, 9)))
    def bulk_publication(self, action, picks):
        live = self._live()
        chosen = [live[i % len(live)].pk for i in picks]
        if chosen:
            response = self.client.post(CHANGELIST, {"action": action, "_selected_action": chosen})
            assert response.status_code == 302

    @rule(status=st.sampled_from(Status.values), picks=st.sets(st.integers(0, 2), min_size=1))
    def member_grid(self, status, picks):
        commitment = Commitment.objects.get(pk=self.commitments[0].pk)
        commitment.record_member_updates(
            [
                {
                    "member": self.members[i],
                    "status": status,
                    "as_of": self._next_day(),
                    "note": "Member by member.",
                    "basis": Basis.SELF_REPORTED,
                    "is_public": True,
                }
                for i in picks
            ]
        )

    @rule(i=st.integers(0, 9), theme=st.integers(0, 2), side=st.sampled_from(["own", "theme"]))
    def toggle_a_theme(self, i, theme, side):
        commitment = self._live()[i % len(self._live())]
        linked = commitment.themes.filter(pk=self.themes[theme].pk).exists()
        if side == "own":
            manager, other = commitment.themes, self.themes[theme]
        else:
            manager, other = self.themes[theme].commitments, commitment
        (manager.remove if linked else manager.add)(other)

    @rule(i=st.integers(0, 9), partners=st.sets(st.integers(0, 3)), clear=st.booleans())
    def set_partners(self, i, partners, clear):
        commitment = self._live()[i % len(self._live())]
        if clear:
            self.actors[2].partner_commitments.clear()
        else:
            commitment.partners.set([self.actors[p] for p in partners])

    @rule(i=st.integers(0, 9), source=st.integers(0, 1), proposer=st.integers(0, 3))
    def plain_save(self, i, source, proposer):
        commitment = self._live()[i % len(self._live())]
        commitment.source = self.sources[source]
        commitment.proposer = self.actors[proposer]
        commitment.save()

    @rule(on=st.booleans())
    def change_the_member_group(self, on):
        # Allowed while no member has a history on it.
        commitment = Commitment.objects.get(pk=self.commitments[1].pk)
        commitment.member_group = self.group if on else None
        with contextlib.suppress(ValidationError):
            commitment.save()

    @rule(published=st.booleans())
    def add_and_delete_a_commitment(self, published):
        made = factories.make_commitment(
            source=self.sources[0],
            owner=self.actors[0],
            themes=self.themes[:2],
            partners=self.actors[1:2],
            is_published=published,
        )
        if published:
            self.commitments.append(made)
        else:
            response = self.client.post(
                CHANGELIST,
                {"action": "delete_selected", "_selected_action": [made.pk], "post": "yes"},
            )
            assert response.status_code == 302
            assert not Commitment.objects.filter(pk=made.pk).exists()

    @rule()
    def delete_a_theme(self):
        theme = self.themes.pop()
        theme.delete()
        self.themes.append(factories.make_theme())

    @invariant()
    def kept_figures_equal_a_fresh_count(self):
        assert _kept() == figures.count_afresh()


def _kept() -> figures.Figures:
    return figures.read(*figures.SCOPES)


def _site() -> dict[str, int]:
    return _kept().get((figures.SITE, 0), {})


class FiguresPropertyTests(TestCase):
    def test_random_writes_through_every_path_keep_the_figures_exact(self):
        run_state_machine_as_test(
            Writes,
            settings=settings(
                max_examples=10,
                stateful_step_count=12,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )


def test_drafts_count_towards_nothing(db):
    draft = factories.make_commitment(is_published=False, themes=[factories.make_theme()])
    draft.record_update(
        status=Status.IN_PROGRESS, as_of=EVENT, note="Begun.", basis=Basis.SELF_REPORTED
    )
    assert _kept() == {}
    Commitment.objects.filter(pk=draft.pk).set_published(True)
    assert _site() == {Status.IN_PROGRESS: 1}
    Commitment.objects.filter(pk=draft.pk).set_published(False)
    assert _kept() == {}


def test_the_loaders_keep_the_figures_exact(db):
    call_command("load_sources", "fixtures/asean-members.json", stdout=StringIO())
    call_command("load_sources", "fixtures/adgmin-2026.json", stdout=StringIO())
    assert _kept() == figures.count_afresh()
    assert _site() == {Status.NOT_ASSESSED: 21}
    exported = Client().get("/data/dataset.json")
    data = b"".join(exported.streaming_content).decode()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "dataset.json"
        path.write_text(data, encoding="utf-8")
        from tests.test_import_round_trip import wipe

        wipe()
        assert _kept() == {}
        call_command("import_commitments", str(path), "--publish", stdout=StringIO())
    assert _kept() == figures.count_afresh()
    assert sum(_site().values()) == len(json.loads(data)["commitments"])


def test_loaddata_keeps_the_figures_exact(db):
    call_command(
        "loaddata", "fixtures/asean-members.json", "fixtures/adgmin-2026.json", verbosity=0
    )
    assert _kept() == figures.count_afresh()
    assert _site() == {Status.NOT_ASSESSED: 21}


def test_recount_puts_figures_changed_behind_the_apps_back_right(db):
    factories.make_commitment(themes=[factories.make_theme()])
    _kept()  # a visitor's page counted them
    Commitment.objects.update(status=Status.COMPLETED)  # raw SQL, as it were

    out = StringIO()
    call_command("recount", "--dry-run", stdout=out)
    # Not assessed one fewer, completed one more: in the site, source, owner, proposer, theme.
    assert "10 figures are wrong." in out.getvalue()
    assert _kept() != figures.count_afresh()

    call_command("recount", stdout=out)
    assert "Counted afresh: " in out.getvalue()
    assert _kept() == figures.count_afresh()

    out = StringIO()
    call_command("recount", stdout=out)
    assert "figures are right." in out.getvalue()


def test_recount_also_puts_right_a_per_member_status_changed_behind_the_apps_back(db):
    _group, (first, _second), (commitment,) = factories.make_scorecard(members=2, commitments=1)
    factories.record_member_status(commitment, first, Status.COMPLETED)
    Commitment.objects.update(status=Status.COMPLETED)  # raw SQL, as it were

    out = StringIO()
    call_command("recount", "--dry-run", stdout=out)
    assert "1 commitments carried out by each member state have a status" in out.getvalue()
    assert Commitment.objects.get().status == Status.COMPLETED

    call_command("recount", stdout=out)
    assert "Put right: 1 statuses." in out.getvalue()
    assert Commitment.objects.get().status == Status.IN_PROGRESS
    assert _kept() == figures.count_afresh()


def test_the_lists_choices_kept_under_the_version_are_what_the_filters_querysets_give(db):
    """The list's drop-downs take their options from figures.list_choices(); the filters'
    querysets still check a submitted value. Both must agree, order included."""
    from tracker.filters import CommitmentFilter

    actors = [factories.make_actor(name=name) for name in ("Zeta", "alpha", "Mu", "Beta", "Eta")]
    themes = [factories.make_theme(position=p) for p in (3, 1, 2)]
    sources = [factories.make_source(event_date=_as_of(days)) for days in (5, 1, 9)]
    factories.make_commitment(
        source=sources[0],
        owner=actors[0],
        proposer=actors[1],
        partners=actors[2:4],
        themes=themes[:2],
    )
    factories.make_commitment(
        source=sources[1], owner=actors[3], proposer=actors[3], themes=themes[1:2]
    )
    # A draft's source, theme and actors are offered nowhere unless a published one has them.
    factories.make_commitment(
        source=sources[2],
        owner=actors[4],
        proposer=actors[4],
        partners=[actors[4], actors[0]],
        themes=themes,
        is_published=False,
    )
    kept = figures.list_choices()
    for name in figures.CHOICE_SCOPES:
        assert kept[name] == list(CommitmentFilter.base_filters[name].queryset), name
    assert kept["theme"] and kept["owner"] and kept["partner"] and kept["source"]
