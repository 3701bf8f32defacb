"""Property-based: random sequences of status updates through every write path keep the
timeline rule. After each step the commitment's status is the head of its public timeline and
the public chain of previous statuses is unbroken; a refused step changes nothing. At the end,
the public dataset imports into an empty database and exports again unchanged."""

from __future__ import annotations

import datetime
import tempfile
from io import StringIO
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from tests import factories
from tests.forms import form_data
from tests.test_import_round_trip import body, wipe
from tracker.models import Basis, Commitment, Status, StatusUpdate

EVENT = datetime.date(2026, 1, 15)
CHANGELIST = "/admin/tracker/commitment/"
PATHS = ["shell", "admin form", "bulk action"]


def _public_chain(commitment: Commitment) -> list[StatusUpdate]:
    """Public updates, oldest first: the order the timeline is read back to front."""
    return list(commitment.updates.filter(is_public=True).order_by("as_of", "created", "pk"))


class Timeline(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.commitment = factories.make_commitment(source=factories.make_source(event_date=EVENT))
        self.client = Client()
        self.client.force_login(
            factories.make_user(f"admin-{self.commitment.pk}", is_superuser=True)
        )

    def _expected_refusal(self, status, as_of, public, corrects) -> str | None:
        current = Commitment.objects.get(pk=self.commitment.pk)
        latest = current.updates.order_by("-as_of", "-created", "-pk").first()
        if status != current.status and not public:
            return "is_public"
        if latest is not None and as_of < latest.as_of:
            return "as_of"
        if corrects is not None and public and not corrects.is_public:
            return "corrects"
        return None

    @rule(
        status=st.sampled_from(Status.values),
        days=st.integers(min_value=0, max_value=400),
        public=st.booleans(),
        correct=st.booleans(),
        path=st.sampled_from(PATHS),
    )
    def record(self, status, days, public, correct, path):
        as_of = min(EVENT + datetime.timedelta(days=days), timezone.localdate())
        corrects = self.commitment.updates.order_by("pk").last() if correct else None
        if path == "bulk action":
            corrects = None  # the bulk form records plain updates only
        refusal = self._expected_refusal(status, as_of, public, corrects)
        before = (Commitment.objects.get(pk=self.commitment.pk), StatusUpdate.objects.count())
        note = f"Step {before[1] + 1} via the {path}."
        if path == "shell":
            try:
                Commitment.objects.get(pk=self.commitment.pk).record_update(
                    status=status,
                    as_of=as_of,
                    note=note,
                    basis=Basis.SELF_REPORTED,
                    is_public=public,
                    corrects=corrects,
                )
            except ValidationError as error:
                assert refusal in error.message_dict, (refusal, error.message_dict)
        elif path == "admin form":
            url = f"{CHANGELIST}{self.commitment.pk}/change/"
            data = form_data(
                self.client,
                url,
                "commitment_form",
                new_status=status,
                as_of=as_of.isoformat(),
                note=note,
                basis=Basis.SELF_REPORTED,
                is_public="on" if public else [],
                corrects=str(corrects.pk) if corrects else "",
            )
            response = self.client.post(url, data)
            assert response.status_code == (200 if refusal else 302), refusal
            if refusal:
                assert refusal in response.context["adminform"].form.errors
        else:
            version = Commitment.objects.get(pk=self.commitment.pk).version
            response = self.client.post(
                CHANGELIST,
                {
                    "action": "change_status",
                    "_selected_action": [self.commitment.pk],
                    "apply": "Record",
                    f"version-{self.commitment.pk}": version,
                    "status": status,
                    "as_of": as_of.isoformat(),
                    "note": note,
                    "basis": Basis.SELF_REPORTED,
                    **({"is_public": "on"} if public else {}),
                },
            )
            assert response.status_code == (200 if refusal else 302), refusal
        after = (Commitment.objects.get(pk=self.commitment.pk), StatusUpdate.objects.count())
        if refusal:
            # Refused whole: no update, no status change, no version step.
            assert after[1] == before[1]
            assert (after[0].status, after[0].version) == (before[0].status, before[0].version)
        else:
            assert after[1] == before[1] + 1
            assert after[0].version == before[0].version + 1

    def teardown(self):
        exported = body(Client().get("/data/dataset.json"))
        wipe()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "dataset.json"
            path.write_text(exported, encoding="utf-8")
            call_command("import_commitments", str(path), "--publish", stdout=StringIO())
        assert body(Client().get("/data/dataset.json")) == exported

    @invariant()
    def status_is_the_head_of_the_public_timeline(self):
        commitment = Commitment.objects.get(pk=self.commitment.pk)
        chain = _public_chain(commitment)
        head = chain[-1] if chain else None
        assert commitment.status == (head.status if head else Status.NOT_ASSESSED)
        assert commitment.status_date == (head.as_of if head else commitment.status_date)
        timeline = list(
            commitment.updates.filter(is_public=True).order_by("-as_of", "-created", "-pk")
        )
        assert timeline[:1] == chain[-1:]

    @invariant()
    def the_public_chain_is_unbroken(self):
        previous = Status.NOT_ASSESSED
        for update in _public_chain(self.commitment):
            assert update.previous_status == previous
            previous = update.status

    @invariant()
    def internal_notes_never_change_the_status(self):
        for update in self.commitment.updates.filter(is_public=False):
            assert update.status == update.previous_status


class TimelinePropertyTests(TestCase):
    def test_random_updates_through_every_write_path_keep_the_timeline_rule(self):
        run_state_machine_as_test(
            Timeline,
            settings=settings(
                max_examples=12,
                stateful_step_count=10,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
