"""Small builders for test data, with defaults for every required field."""

from __future__ import annotations

import datetime
import importlib
import itertools
from contextlib import contextmanager

from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from tracker.models import (
    Actor,
    ActorKind,
    Basis,
    Commitment,
    MemberGroup,
    MemberState,
    Source,
    Status,
    Theme,
)

_counter = itertools.count(1)


def _n() -> int:
    return next(_counter)


def make_source(**kwargs) -> Source:
    n = _n()
    fields = {
        "slug": f"source-{n}",
        "title": f"Report on summit {n}",
        "publisher": "Example News",
        "event_name": f"Summit {n}",
        "event_place": "Hanoi, Viet Nam",
        "event_date": datetime.date(2026, 1, 15),
        "full_text": "The leaders promised to build a bridge.",
    }
    fields.update(kwargs)
    return Source.objects.create(**fields)


def make_actor(**kwargs) -> Actor:
    n = _n()
    fields = {"slug": f"actor-{n}", "name": f"Actor {n}", "kind": ActorKind.GROUP}
    fields.update(kwargs)
    return Actor.objects.create(**fields)


def make_theme(**kwargs) -> Theme:
    n = _n()
    fields = {"slug": f"theme-{n}", "name": f"Theme {n}", "position": n}
    fields.update(kwargs)
    return Theme.objects.create(**fields)


def make_group(*, members: int = 0, **kwargs) -> MemberGroup:
    """A group of states, with `members` members that joined long before any test source."""
    n = _n()
    fields = {"slug": f"group-{n}", "name": f"Group {n}"}
    fields.update(kwargs)
    group = MemberGroup.objects.create(**fields)
    for _ in range(members):
        make_member(group=group)
    return group


def make_member(**kwargs) -> MemberState:
    n = _n()
    fields = {
        "slug": f"member-{n}",
        "name": f"Member {n}",
        "joined_on": datetime.date(1967, 8, 8),
        "position": n,
    }
    fields.update(kwargs)
    if "group" not in fields:
        fields["group"] = make_group()
    return MemberState.objects.create(**fields)


def make_commitment(*, themes=(), partners=(), **kwargs) -> Commitment:
    """A published commitment; pass is_published=False for a draft."""
    n = _n()
    fields = {
        "slug": f"commitment-{n}",
        "title": f"Build bridge number {n}",
        "summary": "A bridge will be built.",
        "quote": "The leaders promised to build a bridge.",
        "position": n,
        "status_date": datetime.date(2026, 1, 15),
        "is_published": True,
    }
    fields.update(kwargs)
    if "source" not in fields:
        fields["source"] = make_source()
    if "proposer" not in fields:
        fields["proposer"] = make_actor(kind=ActorKind.PERSON)
    if "owner" not in fields:
        fields["owner"] = make_actor()
    # A commitment starts "not yet assessed"; another status is recorded as its first update.
    status = fields.pop("status", Status.NOT_ASSESSED)
    commitment = Commitment.objects.create(**fields)
    commitment.themes.set(themes)
    commitment.partners.set(partners)
    if status != Status.NOT_ASSESSED:
        commitment.record_update(
            status=status,
            as_of=commitment.status_date,
            note="Status set up for a test.",
            basis=Basis.SELF_REPORTED,
        )
    return commitment


def make_user(
    username: str = "editor", *, is_staff: bool = True, is_superuser: bool = False, **kwargs
):
    return get_user_model().objects.create_user(
        username=username,
        password="a-long-test-password",
        is_staff=is_staff,
        is_superuser=is_superuser,
        **kwargs,
    )


# The data migrations that make the "Editors" group and give it its permissions.
_editors = importlib.import_module("tracker.migrations.0003_editors_group")
_editors_read_members = importlib.import_module(
    "tracker.migrations.0006_editors_read_member_states"
)


def run_data_migration(function) -> None:
    """Run a data migration's function on the project's models, as `migrate` did.

    The editors' migrations switch the tracker's `models_module` on and back to None around
    create_permissions(), which is right for migrate's historical apps; on the real ones, the
    real value is put back, or a later flush would skip the tracker's post_migrate handlers.
    """
    tracker = django_apps.get_app_config("tracker")
    models_module = tracker.models_module
    try:
        function(django_apps, None)
    finally:
        tracker.models_module = models_module


def editors_group() -> Group:
    """The "Editors" group, as migrations 0003 and 0006 leave it.

    A transactional test (the browser and live-server tests) empties the database after it,
    groups included, and a test run in parallel or in another order may come after one: then
    the migrations' own functions make the group again, so the permissions are listed once.
    """
    group = Group.objects.filter(name=_editors.EDITORS).first()
    if group is None:
        run_data_migration(_editors.create_editors_group)
        run_data_migration(_editors_read_members.grant)
        group = Group.objects.get(name=_editors.EDITORS)
    return group


def make_editor(username: str = "editor", **kwargs):
    """A member of the "Editors" group that migration 0003 creates: staff, not superuser."""
    user = make_user(username, **kwargs)
    user.groups.add(editors_group())
    return user


def make_scorecard(*, members: int = 3, commitments: int = 2, **kwargs) -> tuple:
    """A group of `members` member states and `commitments` published commitments that each
    of them carries out (their rows start "not yet assessed"). Returns (group, members,
    commitments), members in the group's order."""
    group = make_group(**kwargs)
    states = [make_member(group=group, position=i) for i in range(1, members + 1)]
    made = [make_commitment(member_group=group) for _ in range(commitments)]
    return group, states, made


def record_member_status(commitment, member, status, as_of=None, **kwargs):
    """A member state's public update on a commitment, through the one write path."""
    return commitment.record_update(
        member=member,
        status=status,
        as_of=as_of or datetime.date(2026, 3, 1),
        note=kwargs.pop("note", f"{member.name} reported progress."),
        basis=kwargs.pop("basis", Basis.SELF_REPORTED),
        **kwargs,
    )


@contextmanager
def rolled_back_afterwards(django_db_blocker):
    """A transaction for a module-, class- or session-scoped fixture, rolled back at the end.

    Data that many tests only read is built inside it once, not once per test (a loaded
    fixture, a page's worth of commitments). Each test, through pytest-django's `db`, then runs
    in a savepoint inside it, so what a test writes is gone before the next. Every database
    test that runs meanwhile sees the data: a fixture of this kind serves a module or class
    all of whose database tests use it.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)
