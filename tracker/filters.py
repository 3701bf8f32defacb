"""The public filters: the commitment list's and the scorecard's. Every filter lives in the URL,
so views can be shared."""

import functools

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt, pretty_name
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from tracker import figures, search
from tracker.models import (
    Actor,
    Bucket,
    Commitment,
    CommitmentKind,
    Source,
    Status,
    Theme,
    statuses_in,
)

# A search is bounded: each word adds up to three forms to the full-text query, and a search
# box is for a few words, not a document.
SEARCH_MAX_WORDS = search.MAX_TERMS
SEARCH_MAX_CHARS = 200


def _in_published(field: str) -> Exists:
    """Whether the outer row is `field` of a published commitment: the filters offer only
    themes, actors and sources the public can see."""
    return Exists(Commitment.objects.public().filter(**{field: OuterRef("pk")}))


class FastSelect(forms.Select):
    """Django's <select>, written in Python: its templates render an include per <option>,
    and the list's filters have 150 options (every owner, partner and source): nearly half
    of the list page's rendering. Same markup, same selection; no option groups, and none of
    get_context()'s dictionary per option, which cost as much again (issue 20)."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        values = self.format_value(value)
        # As ChoiceWidget.optgroups(): the first option whose value is chosen is selected.
        options, has_selected = [], False
        for option_value, label in self.choices:
            if option_value is None:
                option_value = ""
            selected = (not has_selected or self.allow_multiple_selected) and str(
                option_value
            ) in values
            has_selected |= selected
            options.append((option_value, " selected" if selected else "", label))
        return format_html(
            '<select name="{}"{}>\n  {}\n</select>',
            name,
            flatatt(attrs),
            format_html_join("\n  ", '<option value="{}"{}>{}</option>', options),
        )


class FilterForm(forms.Form):
    """The filters' form, its drop-downs written by FastSelect."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field.widget) is forms.Select:
                fast = FastSelect(attrs=field.widget.attrs, choices=field.widget.choices)
                fast.is_required = field.widget.is_required
                field.widget = fast


def validate_search_words(value: str) -> None:
    words = len(value.split())
    if words > SEARCH_MAX_WORDS:
        raise ValidationError(
            ngettext(
                "Use at most %(limit)d words; this search has %(count)d.",
                "Use at most %(limit)d words; this search has %(count)d.",
                words,
            )
            % {"limit": SEARCH_MAX_WORDS, "count": words},
            code="max_words",
        )


def validate_search(value: str) -> None:
    """Something to search for, in few enough words (tracker.search.parse())."""
    search.parse(value)


def _search_help() -> str:
    return gettext(
        "Words from the title, summary, quote, notes, the source or who is involved, in any of "
        "the three languages, with or without accents. At most %(limit)d words."
    ) % {"limit": SEARCH_MAX_WORDS}


class _ReadAtOnce(ModelChoiceIterator):
    """The choices in one query. Django reads them with QuerySet.iterator(), which on
    PostgreSQL opens a server-side cursor: four round trips (declare, fetch, fetch the end,
    close) for a few dozen rows. The list's five drop-downs took 20 round trips, now 5."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        rows = self.field.rows() if self.field.rows else self.queryset.all()
        for obj in rows:
            yield self.choice(obj)


class _TranslatedChoiceField(forms.ModelChoiceField):
    """Options named in the page's language: a theme's or an actor's translated name, a
    source's event and its date as the language writes it."""

    iterator = _ReadAtOnce

    def __init__(self, *args, rows=None, **kwargs):
        # rows: a callable giving the options (the same rows the queryset would), asked only
        # when the drop-down is drawn. The queryset still checks a submitted value.
        self.rows = rows
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj) -> str:
        if isinstance(obj, Source):
            return f"{obj.translated('event_name')[0]} ({date_format(obj.event_date)})"
        return obj.translated("name")[0]


class TranslatedChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = _TranslatedChoiceField


# "%s (descending)" % a label, worded when shown, in the page's language.
_percent = lazy(lambda message, value: str(message) % value, str)


class StableOrderingFilter(django_filters.OrderingFilter):
    """A visitor's sort, then the list's own order: many commitments share a status date (or
    a title), and without a tiebreaker the database may return them in a different order for
    each page, so a commitment could be shown on two pages and another on none."""

    # django-filter's own words, in our catalogue: it has none in Vietnamese or Indonesian.
    descending_fmt = _("%s (descending)")

    def build_choices(self, fields, labels):
        # As django-filter's, but lazy: it words "Title (descending)" once, at import, so in
        # English on every page.
        choices = []
        for field, param in fields.items():
            label = labels.get(field, pretty_name(param))
            descending = labels.get(f"-{param}", _percent(self.descending_fmt, label))
            choices += [(param, label), (f"-{param}", descending)]
        return choices

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value:
            qs = qs.order_by(*qs.query.order_by, *Commitment._meta.ordering)
        return qs


class CommitmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        help_text=lazy(_search_help, str)(),
        # Django points aria-describedby at "id_q_helptext" and, when invalid, "id_q_error";
        # the template gives the help text and the error those ids.
        widget=forms.TextInput(attrs={"type": "search"}),
        max_length=SEARCH_MAX_CHARS,
        validators=[validate_search_words, validate_search],
        error_messages={
            "max_length": _(
                "Use at most %(limit_value)d characters; this search has %(show_value)d."
            )
        },
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Status.choices, empty_label=_("Any status")
    )
    bucket = django_filters.ChoiceFilter(
        label=_("Progress"), choices=Bucket.choices, method="filter_bucket", empty_label=_("Any")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=CommitmentKind.choices, empty_label=_("Any kind")
    )
    theme = TranslatedChoiceFilter(
        label=_("Theme"),
        field_name="themes",
        to_field_name="slug",
        queryset=Theme.objects.filter(_in_published("themes")),
        empty_label=_("Any theme"),
    )
    owner = TranslatedChoiceFilter(
        label=_("Owner"),
        to_field_name="slug",
        queryset=Actor.objects.filter(_in_published("owner")),
        empty_label=_("Any owner"),
    )
    partner = TranslatedChoiceFilter(
        label=_("Partner"),
        field_name="partners",
        to_field_name="slug",
        queryset=Actor.objects.filter(_in_published("partners")),
        empty_label=_("Any partner"),
    )
    proposer = TranslatedChoiceFilter(
        label=_("Proposed by"),
        to_field_name="slug",
        queryset=Actor.objects.filter(_in_published("proposer")),
        empty_label=_("Anyone"),
    )
    source = TranslatedChoiceFilter(
        label=_("Source"),
        to_field_name="slug",
        queryset=Source.objects.filter(_in_published("source")),
        empty_label=_("Any source"),
    )
    order = StableOrderingFilter(
        label=_("Sort by"),
        fields=(("position", "position"), ("title", "title"), ("status_date", "status_date")),
        field_labels={
            "position": _("Order in the source"),
            "title": _("Title"),
            "status_date": _("Status date"),
        },
        empty_label=_("Order in the source"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The drop-downs' options from the rows kept under the content version; read only
        # when the form is drawn (the exports use this filter set too, without a form).
        choices = functools.cache(figures.list_choices)
        for name in figures.CHOICE_SCOPES:
            self.filters[name].extra["rows"] = lambda name=name: choices()[name]

    class Meta:
        model = Commitment
        fields = [
            "q",
            "status",
            "bucket",
            "kind",
            "theme",
            "owner",
            "partner",
            "proposer",
            "source",
        ]
        form = FilterForm

    def keep_invalid_values(self) -> None:
        """Show a rejected value in its drop-down, marked as such, instead of "Any …".

        A select can only show one of its options, so the visitor would otherwise see the
        filter reset while the page says it was refused.
        """
        for name in self.form.errors:
            field = self.form.fields.get(name)
            value = self.form.data.get(name)
            if not value or not isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
                continue
            field.widget.choices = [
                *field.widget.choices,
                (value, _("%(value)s (not a valid choice)") % {"value": value}),
            ]

    def search(self, queryset, name, value):
        # Validated by then (validate_search()).
        return search.filter_and_rank(queryset, search.parse(value))

    def filter_bucket(self, queryset, name, value):
        return queryset.filter(status__in=statuses_in(Bucket(value)))


def _on_the_scorecard(field: str) -> Q:
    """Whether the row is `field` of a published per-member commitment. Those are read once,
    not searched for each theme or source: most have none, and a search for none read every
    commitment of the theme (4 ms a filter at 10,000 commitments; issue 20)."""
    return Q(pk__in=Commitment.objects.public().tracked_by_member().values(field))


class ScorecardFilter(django_filters.FilterSet):
    """The scorecard's filters, shared by its CSV and JSON downloads. Only themes and sources
    of a published per-member commitment are choices: any other value is refused (400)."""

    theme = TranslatedChoiceFilter(
        label=_("Theme"),
        field_name="themes",
        to_field_name="slug",
        queryset=Theme.objects.filter(_on_the_scorecard("themes")),
        empty_label=_("Any theme"),
    )
    source = TranslatedChoiceFilter(
        label=_("Source"),
        to_field_name="slug",
        queryset=Source.objects.filter(_on_the_scorecard("source")),
        empty_label=_("Any source"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The options kept under the content version: the same rows, read once per version,
        # not on every scorecard (two queries over the per-member commitments; issue 20).
        for name, choice_filter in self.filters.items():
            choice_filter.extra["rows"] = lambda name=name, rows=choice_filter.queryset: (
                figures.kept(f"scorecard-{name}", lambda: list(rows))
            )

    class Meta:
        model = Commitment
        fields = ["theme", "source"]
        form = FilterForm


def list_filterset(request) -> CommitmentFilter:
    """The list's filters for this request. The list, its exports and its printout all use
    it, so they show exactly the same rows."""
    commitments = Commitment.objects.public().with_related().select_related("member_group")
    return CommitmentFilter(request.GET or None, queryset=commitments, request=request)


# The scorecard's rows, its downloads' rows and a member's page: in the order of the sources.
SCORECARD_ORDER = ("source__event_date", "source_id", "position", "pk")


def scorecard_filterset(request) -> ScorecardFilter:
    """The scorecard's filters for this request; its downloads use it too, so rows match."""
    return ScorecardFilter(
        request.GET or None,
        queryset=Commitment.objects.public().tracked_by_member().order_by(*SCORECARD_ORDER),
    )
