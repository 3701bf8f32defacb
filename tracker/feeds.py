"""Atom feeds of public status updates: the whole site, one commitment, a theme, an actor, a
member state. A member state's update is labelled with the member ("Viet Nam: In progress").

Each entry is one update: its title says what changed, its content is the note as plain text
(in the feed's language if it is written or translated into it, else the original, saying so),
its link goes to the update on the commitment's page. Drafts and internal notes are never
in a feed: every feed starts from `StatusUpdate.objects.public()`. Each feed runs a fixed
number of queries: the object (if any), then one for its entries.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.translation import gettext

from tracker import figures
from tracker.languages import active_language
from tracker.models import (
    HISTORY_PAGE_SIZE,
    Actor,
    Commitment,
    MemberState,
    Status,
    StatusUpdate,
    Theme,
    count_of,
)
from tracker.templatetags.tracker_tags import note_in, note_label
from tracker.text import xml_safe
from tracker.validators import web_address

FEED_LENGTH = 50


def _xml_safe_values(values: dict) -> dict:
    return {key: xml_safe(v) if isinstance(v, str) else v for key, v in values.items()}


def _newer_on_its_timeline():
    """How many public updates come before this one on its commitment's page (newest first,
    as TIMELINE_ORDER), so the entry can link to the page it is on. A subquery."""
    same_date = Q(as_of=OuterRef("as_of"))
    same_time = same_date & Q(created=OuterRef("created"))
    newer = StatusUpdate.objects.filter(
        Q(as_of__gt=OuterRef("as_of"))
        | (same_date & Q(created__gt=OuterRef("created")))
        | (same_time & Q(pk__gt=OuterRef("pk"))),
        commitment=OuterRef("commitment"),
        is_public=True,
    )
    return count_of(newer)


class AtomWithContent(Atom1Feed):
    """Atom with the note as <content type="text">: readers show it as text, never as HTML.

    Every text that goes into the feed passes through xml_safe(): a title or note saved
    before input was checked may hold a control character, which XML 1.0 cannot carry.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **_xml_safe_values(kwargs))

    def add_item(self, *args, **kwargs):
        super().add_item(*args, **_xml_safe_values(kwargs))

    def latest_post_date(self):
        # An empty feed would say "updated now", so the same content would read differently on
        # every request (and a cached copy would look stale): it says the epoch instead.
        if not self.items:
            return datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
        return super().latest_post_date()

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "text"})


class UpdatesFeed(Feed):
    """Every public update on the site, newest first."""

    feed_type = AtomWithContent

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        # The feed generator writes each XML element as a chunk of its own: thousands of
        # chunks that gunicorn sends one by one (and the page cache kept one by one), which
        # made a 25 KB feed take 10 to 200 ms on the wire. One chunk.
        response.content = response.content
        return response

    def _title(self, subject: str = "") -> str:
        site = settings.TRACKER_SITE_NAME
        if subject:
            return gettext("%(subject)s · status updates · %(site)s") % {
                "subject": subject,
                "site": site,
            }
        return gettext("Status updates · %(site)s") % {"site": site}

    def title(self, obj=None) -> str:
        return self._title()

    def subtitle(self, obj=None) -> str:
        return gettext("Every public change of status and note on the commitments tracked.")

    def link(self, obj=None) -> str:
        return reverse("tracker:dashboard")

    def author_name(self, obj=None) -> str:
        return str(settings.TRACKER_SITE_NAME)

    def updates(self, obj) -> QuerySet:
        return StatusUpdate.objects.public()

    def items(self, obj=None):
        return (
            self.updates(obj)
            .select_related("commitment", "member")
            .annotate(newer=_newer_on_its_timeline())
            .order_by("-created", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, update: StatusUpdate) -> str:
        if update.is_status_change:
            change = f"{Status(update.previous_status).label} → {update.get_status_display()}"
        else:
            change = gettext("%(status)s (status unchanged)") % {
                "status": update.get_status_display()
            }
        title = update.commitment.translated("title")[0]
        if update.member_id is not None:
            # "Develop data centres · Viet Nam: Not yet assessed → In progress"
            return f"{title} · {update.member.translated('name')[0]}: {change}"
        return f"{title}: {change}"

    def item_description(self, update: StatusUpdate) -> None:
        # The entry's text goes in <content>, below; an HTML <summary> would have to be escaped.
        return None

    def item_extra_kwargs(self, update: StatusUpdate) -> dict:
        lines = [
            gettext("%(status)s as of %(date)s.")
            % {"status": update.get_status_display(), "date": date_format(update.as_of)}
        ]
        if update.member_id is not None:
            lines[0] = f"{update.member.translated('name')[0]}: {lines[0]}"
        if update.note:
            # In the feed's language when there is a translation into it, the original below
            # it; else the original, saying it is not yet translated.
            language = active_language()
            text, _language, translated = note_in(update, language)
            lines.append(text)
            if update.note_language != language:
                lines.append(note_label(update.note_language, language, translated))
            if translated:
                lines.append(update.note)
        # Feed readers turn addresses in an entry into links: only a web address is given
        # (tracker.validators.web_address; docs/data.md, "Addresses").
        if web_address(update.evidence_url):
            lines.append(gettext("Evidence: %(url)s") % {"url": update.evidence_url})
        return {"content": "\n\n".join(lines)}

    def item_link(self, update: StatusUpdate) -> str:
        # The commitment's timeline is paged: link to the page the update is on.
        page = update.newer // HISTORY_PAGE_SIZE + 1
        if page == 1:
            return update.get_absolute_url()
        return f"{update.commitment.get_absolute_url()}?page={page}#update-{update.pk}"

    def item_pubdate(self, update: StatusUpdate):
        return update.created

    def item_updateddate(self, update: StatusUpdate):
        # Updates are append-only: an entry never changes after it is recorded.
        return update.created


class CommitmentFeed(UpdatesFeed):
    """The public updates on one commitment."""

    def get_object(self, request, slug: str) -> Commitment:
        return get_object_or_404(Commitment.objects.public(), slug=slug)

    def title(self, commitment: Commitment) -> str:
        return self._title(commitment.translated("title")[0])

    def subtitle(self, commitment: Commitment) -> str:
        return gettext("Every public change of status and note on “%(title)s”.") % {
            "title": commitment.translated("title")[0]
        }

    def link(self, commitment: Commitment) -> str:
        return commitment.get_absolute_url()

    def updates(self, commitment: Commitment) -> QuerySet:
        return StatusUpdate.objects.public().filter(commitment=commitment)


class ThemeFeed(UpdatesFeed):
    """The public updates on the commitments filed under a theme."""

    def get_object(self, request, slug: str) -> Theme:
        theme = get_object_or_404(Theme.objects.public(), slug=slug)
        # How many published commitments it has chooses how its updates are read.
        theme.size = sum(
            figures.read(figures.THEME, key=theme.pk).get((figures.THEME, theme.pk), {}).values()
        )
        return theme

    def title(self, theme: Theme) -> str:
        return self._title(theme.translated("name")[0])

    def subtitle(self, theme: Theme) -> str:
        return gettext("Every public change of status and note on commitments about %(theme)s.") % {
            "theme": theme.translated("name")[0]
        }

    def link(self, theme: Theme) -> str:
        return theme.get_absolute_url()

    def updates(self, theme: Theme) -> QuerySet:
        return StatusUpdate.objects.public().on_theme(theme, theme.size)


class ActorFeed(UpdatesFeed):
    """The public updates on the commitments an actor proposed, owns or shares."""

    def get_object(self, request, slug: str) -> Actor:
        actor = get_object_or_404(Actor.objects.public(), slug=slug)
        # How many published commitments it is in (at most) chooses how its updates are read.
        counted = figures.read(*figures.ACTOR_SCOPES, key=actor.pk)
        actor.size = sum(sum(counts.values()) for counts in counted.values())
        return actor

    def title(self, actor: Actor) -> str:
        return self._title(actor.translated("name")[0])

    def subtitle(self, actor: Actor) -> str:
        return gettext(
            "Every public change of status and note on commitments %(actor)s proposed, owns or "
            "shares."
        ) % {"actor": actor.translated("name")[0]}

    def link(self, actor: Actor) -> str:
        return actor.get_absolute_url()

    def updates(self, actor: Actor) -> QuerySet:
        return StatusUpdate.objects.public().involving(actor, actor.size)


class MemberFeed(UpdatesFeed):
    """A member state's own public updates, on every commitment it carries out."""

    def get_object(self, request, slug: str) -> MemberState:
        return get_object_or_404(MemberState.objects.public(), slug=slug)

    def title(self, member: MemberState) -> str:
        return self._title(member.translated("name")[0])

    def subtitle(self, member: MemberState) -> str:
        return gettext(
            "Every public change of %(member)s’s status and note on the commitments it carries out."
        ) % {"member": member.translated("name")[0]}

    def link(self, member: MemberState) -> str:
        return member.get_absolute_url()

    def updates(self, member: MemberState) -> QuerySet:
        return StatusUpdate.objects.public().filter(member=member)
