"""The one write path for an existing commitment: Commitment.save_edit(), and its short forms.

The admin's change form, the update page, the bulk action, the member grid and the importers
all call it: one transaction, one version check, one UPDATE of the commitment's row, and the
content version moved on once. The related models are reached through the commitment's own
relations, so this module imports no model module.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from tracker import search
from tracker.statuses import Status, members_status
from tracker.versions import ContentVersion

# tracker.models' classes, which this module reaches through a commitment's relations rather
# than import (models imports this module): named here for the annotations alone.
Commitment = StatusUpdate = MemberProgress = MemberState = models.Model

# An update's commitment is the row save_edit() has locked, its author the signed-in user:
# asking the database whether they exist would cost a query per update for nothing.
KNOWN_TO_EXIST = ("commitment", "author")

# Written only by save_edit(), together with the history.
STATUS_FIELDS = frozenset({"status", "status_date", "last_reviewed"})


class EditConflict(Exception):
    """A commitment was saved by somebody else after the editor loaded the version they edited."""

    def __init__(self, commitment: Commitment, expected_version: int, title: str = ""):
        self.commitment = commitment
        self.expected_version = expected_version
        super().__init__(
            gettext(
                "“%(title)s” was changed by somebody else while you were editing it, so nothing "
                "was saved. Open it again to see the latest version, then make your change again."
            )
            % {"title": title or commitment}
        )


class MemberUpdatesInvalid(ValidationError):
    """Member updates refused by save_edit(): `by_member` maps each member to its errors.

    The key None holds a problem of the whole call (the commitment is not tracked per member).
    As a ValidationError its messages name the member, e.g. "Viet Nam: as_of: …".
    """

    def __init__(self, by_member: dict[MemberState | None, ValidationError]):
        self.by_member = by_member
        messages = []
        for member, error in by_member.items():
            prefix = f"{member}: " if member is not None else ""
            if hasattr(error, "error_dict"):
                for field, field_messages in error.message_dict.items():
                    where = "" if field == "__all__" else f"{field}: "
                    messages.extend(f"{prefix}{where}{m}" for m in field_messages)
            else:
                messages.extend(f"{prefix}{m}" for m in error.messages)
        super().__init__(messages)


class Editable:
    """Commitment's write path (a mixin of tracker.models.Commitment)."""

    def save_edit(
        self,
        fields: Iterable[str] = (),
        *,
        update: dict | None = None,
        member_updates: Iterable[dict] = (),
        expected_version: int | None = None,
        user=None,
        validated: bool = False,
    ) -> StatusUpdate | None:
        """Save an editor's changes to `fields` and record status updates, all or nothing.

        If anybody saved the commitment after the editor loaded `expected_version`, nothing is
        written and EditConflict is raised; a broken rule raises ValidationError. `update`
        holds StatusUpdate's fields; a public one sets the status. `member_updates` are the
        same plus "member", each checked against that member's own chain; their problems come
        back together as MemberUpdatesInvalid, and the recorded ones are left in
        `self.recorded_member_updates`. `validated`: the caller (an admin form) has run the
        rules on these very records at `expected_version`; the locked row confirms it, and
        every write moves the version on, so they are not run twice.
        """
        if validated and expected_version is None:
            raise ValueError("validated=True needs the expected_version it was validated at.")
        fields = [name for name in fields if name not in STATUS_FIELDS]
        member_updates = list(member_updates)
        # One transaction; the content version moves on once, at its end.
        with ContentVersion.one_write():
            # Lock the row so two editors saving at once are serialised: the second one sees
            # the first one's version, and each update records the status it really replaced.
            current = (
                type(self)
                .objects.select_for_update()
                .only("status", "status_date", "version", "title", "member_group")
                .get(pk=self.pk)
            )
            if expected_version is not None and current.version != expected_version:
                # Name it as the database has it, not with the editor's unsaved title.
                raise EditConflict(self, expected_version, current.title)
            self.status, self.status_date = current.status, current.status_date
            self._loaded_status = current.status
            if "member_group" not in fields:
                self.member_group_id = current.member_group_id
            if fields and not validated:
                self.full_clean(validate_unique=True)
            values = {name: getattr(self, self._meta.get_field(name).attname) for name in fields}
            if "member_group" in fields and self.member_group_id != current.member_group_id:
                self.sync_member_progress()
            recorded = None
            if update is not None:
                recorded = self.updates.model(
                    commitment=self, previous_status=current.status, author=user, **update
                )
                if not validated:
                    recorded.full_clean(exclude=KNOWN_TO_EXIST)
                recorded.save()
                if recorded.is_public and self.member_group_id is None:
                    values["status"], values["status_date"] = recorded.status, recorded.as_of
            self.recorded_member_updates = self._record_member_updates(
                member_updates, user, validated
            )
            if self.recorded_member_updates:
                # The status of a commitment carried out member by member is the members'.
                # (A change of group has set it already, in sync_member_progress().)
                values["status"], values["status_date"] = self.current_status()
            if recorded is not None or self.recorded_member_updates:
                values["last_reviewed"] = timezone.localdate()
            now = timezone.now()
            type(self).objects.filter(pk=self.pk).update(
                **values, version=F("version") + 1, updated=now, updated_by=user
            )
            ContentVersion.bump()
            if search.COMMITMENT_FIELDS & set(fields):  # update() sends no signal
                search.texts_changed.send(sender=type(self), ids=[self.pk])
            # The edited fields are this instance's own; the status fields come from the update.
            for name in STATUS_FIELDS & set(values):
                setattr(self, name, values[name])
            self._loaded_status = self.status
            self.version, self.updated, self.updated_by = current.version + 1, now, user
        return recorded

    def _record_member_updates(
        self, member_updates: list[dict], user, validated: bool = False
    ) -> list[StatusUpdate]:
        """Check every member update, then append them all; part of save_edit()'s transaction.

        All are checked before any is written, so the error names every member with a
        problem, not only the first. Each member has its own chain, so one member's update
        never affects the check of another's.
        """
        if not member_updates:
            return []
        problems: dict[MemberState | None, ValidationError] = {}
        if self.member_group_id is None:
            raise MemberUpdatesInvalid(
                {
                    None: ValidationError(
                        gettext(
                            "“%(title)s” is not carried out member state by member state, so it "
                            "has no member statuses to record. Choose the group under “Carried "
                            "out by each member of” first."
                        )
                        % {"title": self.title}
                    )
                }
            )
        rows = {row.member_id: row for row in self.member_progress.select_for_update().order_by()}
        checked: list[tuple[StatusUpdate, MemberProgress]] = []
        seen: set[int] = set()
        for data in member_updates:
            data = dict(data)
            member = data.pop("member")
            if member.pk in seen:
                problems[member] = ValidationError(
                    gettext(
                        "%(member)s is given more than once: give each member state one status."
                    )
                    % {"member": member}
                )
                continue
            seen.add(member.pk)
            row = rows.get(member.pk)
            entry = self.updates.model(
                commitment=self,
                member=member,
                previous_status=row.status if row else Status.NOT_ASSESSED,
                author=user,
                **data,
            )
            try:
                if not validated:
                    entry.full_clean(exclude=KNOWN_TO_EXIST)
            except ValidationError as error:
                problems[member] = error
                continue
            if row is None:
                # clean() accepted the member, so its row is missing: created on first use.
                row = self.member_progress.model(
                    commitment=self,
                    member=member,
                    status=Status.NOT_ASSESSED,
                    status_date=self.source.event_date,
                )
            checked.append((entry, row))
        if problems:
            raise MemberUpdatesInvalid(problems)
        for entry, row in checked:
            entry.save()
            if entry.is_public:
                row.status, row.status_date = entry.status, entry.as_of
                # save_edit() derives the commitment's status once, after every member's.
                row.save(derive_commitment_status=False)
        return [entry for entry, _row in checked]

    def record_update(
        self,
        *,
        status: str,
        as_of: datetime.date,
        note: str,
        basis: str,
        author=None,
        evidence_url: str = "",
        is_public: bool = True,
        corrects: StatusUpdate | None = None,
        member: MemberState | None = None,
        expected_version: int | None = None,
        note_language: str = "en",
        note_translation_en: str = "",
        note_translation_vi: str = "",
        note_translation_id: str = "",
    ) -> StatusUpdate:
        """Record one status update and nothing else: save_edit() with no field edits.

        With `member`, the update is that member state's, on its own chain. The note is in
        `note_language`, with any translations of it into the site's other languages.
        """
        update = {
            "status": status,
            "as_of": as_of,
            "note": note,
            "note_language": note_language,
            "note_translation_en": note_translation_en,
            "note_translation_vi": note_translation_vi,
            "note_translation_id": note_translation_id,
            "basis": basis,
            "evidence_url": evidence_url,
            "is_public": is_public,
            "corrects": corrects,
        }
        if member is not None:
            self.save_edit(
                member_updates=[{**update, "member": member}],
                expected_version=expected_version,
                user=author,
            )
            return self.recorded_member_updates[0]
        return self.save_edit(update=update, expected_version=expected_version, user=author)

    def record_member_updates(
        self, updates: Iterable[dict], *, expected_version: int | None = None, user=None
    ) -> list[StatusUpdate]:
        """Record several member states' updates at once: save_edit() with member_updates."""
        self.save_edit(member_updates=updates, expected_version=expected_version, user=user)
        return self.recorded_member_updates

    def _member_group_change_problem(self) -> str:
        """Why the member group cannot be what it is now set to, or "" (one query).

        Members outside the group would lose their progress row; that is refused once any of
        them has a history, which is never removed.
        """
        assessed = (
            self.updates.model.objects.filter(commitment_id=self.pk, member__isnull=False)
            .exclude(member__group_id=self.member_group_id)
            .select_related("member")
            .order_by("member__position", "pk")
            .first()
        )
        if assessed is None:
            return ""
        return gettext(
            "Cannot change: %(member)s already has a status history on this commitment, which "
            "is never removed. Record a status such as “%(superseded)s” for the members "
            "instead, or make a new commitment."
        ) % {"member": assessed.member, "superseded": Status.SUPERSEDED.label}

    def sync_member_progress(self) -> int:
        """Give each member that had joined the group when the commitment was made a progress
        row, not yet assessed; remove the rows of members outside it, unless they have a history
        (ValidationError). Returns how many rows were created. Called on a change of group."""
        if problem := self._member_group_change_problem():
            raise ValidationError({"member_group": problem})
        created, progress = [], self.member_progress
        # bulk_create() and update() send no signal.
        with ContentVersion.one_write():
            ContentVersion.bump()
            self.member_progress.exclude(member__group_id=self.member_group_id).delete()
            if self.member_group_id is not None:
                made = self._made_on()
                missing = progress.model.member.field.related_model.objects.filter(
                    group_id=self.member_group_id, joined_on__lte=made
                ).exclude(progress__commitment=self)
                created = progress.model.objects.bulk_create(
                    progress.model(
                        commitment=self,
                        member=member,
                        status=Status.NOT_ASSESSED,
                        status_date=made,
                    )
                    for member in missing
                )
            # Tracked per member, the status is the members'; no longer, it is the
            # commitment's own timeline's again.
            self.status, self.status_date = self.current_status()
            type(self).objects.filter(pk=self.pk).update(
                status=self.status, status_date=self.status_date
            )
            self._loaded_status = self.status
        return len(created)

    def current_status(self) -> tuple[str, datetime.date]:
        """The status and its date as the history says now (one or two queries): derived from
        the members' statuses if carried out by each member, else the head of the commitment's
        own public timeline; not yet assessed as of the day it was made when there is neither."""
        if self.member_group_id is not None:
            rows = list(
                self.member_progress.model.objects.filter(commitment_id=self.pk)
                .order_by()
                .values_list("status", "status_date")
            )
            if rows:
                return members_status(rows)
        else:
            head = (
                self.updates.model.objects.filter(commitment_id=self.pk, member__isnull=True)
                .newest_public()
                .values_list("status", "as_of")
                .first()
            )
            if head is not None:
                return head
        return Status.NOT_ASSESSED.value, self._made_on()

    def _made_on(self) -> datetime.date:
        """The day the commitment was made: its source's event date (one query)."""
        sources = self._meta.get_field("source").related_model.objects
        return sources.values_list("event_date", flat=True).get(pk=self.source_id)
