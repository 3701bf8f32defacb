"""The editors' work queue on the admin's home page; the commitment changelist's hidden fields."""

from __future__ import annotations

import datetime

from django import forms, template
from django.conf import settings
from django.db.models import F
from django.template.defaultfilters import stringformat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext, ngettext

from tracker.models import Commitment, StatusUpdate

register = template.Library()

# How many commitments waiting for review the queue names, each with its "Update status" link.
QUEUE_SHOWN = 5
RECENT_DAYS = 7


@register.inclusion_tag("admin/tracker/_work_queue.html", takes_context=True)
def editor_work_queue(context) -> dict:
    """Counts and links for the day's work: needs review, overdue, recently updated, drafts.

    Runs five queries (four counts and the first few commitments to review), for editors who
    may record updates only.
    """
    user = context["request"].user
    if not user.has_perm("tracker.add_statusupdate"):
        return {"show": False}
    changelist = reverse("admin:tracker_commitment_changelist")
    today = timezone.localdate()
    since = today - datetime.timedelta(days=RECENT_DAYS)
    waiting = Commitment.objects.needs_review().select_related("owner")
    return {
        "show": True,
        "review_days": settings.TRACKER_REVIEW_DAYS,
        "recent_days": RECENT_DAYS,
        "rows": [
            (
                gettext("Need review"),
                ngettext(
                    "not reviewed for %(days)s day, or never",
                    "not reviewed for %(days)s days, or never",
                    settings.TRACKER_REVIEW_DAYS,
                )
                % {"days": settings.TRACKER_REVIEW_DAYS},
                waiting.count(),
                f"{changelist}?review=needed",
            ),
            (
                gettext("Overdue"),
                gettext("target date passed, not delivered"),
                Commitment.objects.overdue().count(),
                f"{changelist}?deadline=overdue",
            ),
            (
                gettext("Recently updated"),
                ngettext(
                    "updates as of the last %(days)s day",
                    "updates as of the last %(days)s days",
                    RECENT_DAYS,
                )
                % {"days": RECENT_DAYS},
                StatusUpdate.objects.filter(as_of__gte=since).count(),
                f"{reverse('admin:tracker_statusupdate_changelist')}?as_of__gte={since:%Y-%m-%d}",
            ),
            (
                gettext("Drafts"),
                gettext("not published yet"),
                Commitment.objects.filter(is_published=False).count(),
                f"{changelist}?is_published__exact=0",
            ),
        ],
        "next_up": list(
            waiting.order_by(
                F("last_reviewed").asc(nulls_first=True), "source_id", "position", "pk"
            )[:QUEUE_SHOWN]
        ),
    }


@register.filter
def hidden_input(field) -> str:
    """{{ field }} for a field shown as a HiddenInput, the same bytes written in Python.

    The commitment changelist carries two hidden fields per row (the version and snapshot its
    edits are checked against); rendering fifty widgets through the form templates was a
    sixth of the page's time. As BoundField.as_widget() and django/forms/widgets/input.html
    and attrs.html (5.2) do it; any other widget is rendered as usual.
    """
    widget = field.field.widget
    if type(widget) is not forms.HiddenInput or field.field.localize:
        return str(field)
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    html = format_html('<input type="{}" name="{}"', context["type"], context["name"])
    if context["value"] is not None:
        html += format_html(' value="{}"', _as_string(context["value"]))
    for name, value in context["attrs"].items():
        if value is not False:
            html += format_html(" {}", name)
            if value is not True:
                html += format_html('="{}"', _as_string(value))
    return mark_safe(html + ">")


def _as_string(value) -> str:
    # As |stringformat:'s' in a template, which keeps a safe string safe.
    text = stringformat(value, "s")
    return mark_safe(text) if isinstance(value, SafeData) else text
