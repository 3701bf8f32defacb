import re

from django.conf import settings

from tests.html import check_page, h1_of
from tracker.models import STATUS_INFO, Status
from tracker.templatetags.tracker_tags import status_badge


def test_the_page_defines_every_status_in_its_bucket(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/statuses/")

    assert response.status_code == 200
    html = response.content.decode()
    check_page(html)
    assert h1_of(html) == "What the statuses mean"
    for status in Status:
        assert f'id="status-{status.value}"' in html
        assert str(status.label) in html
        assert str(STATUS_INFO[status].definition) in html
    assert html.index("Not yet assessed") < html.index("Completed") < html.index("Superseded")
    assert "This is not a finding that nothing has been done." in html


def _css_colour(css: str, selector: str, prop: str) -> str:
    """The colour site.css gives `prop` of `selector`, with a var(--name) resolved in :root."""
    value = re.search(rf"{re.escape(selector)} \{{ {prop}: ([^;]+);", css).group(1)
    name = re.fullmatch(r"var\((--[\w-]+)\)", value)
    return re.search(rf"{name.group(1)}: ([^;]+);", css).group(1) if name else value


def test_in_progress_delayed_and_stalled_badges_have_distinct_colours():
    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text(encoding="utf-8")
    colours = {}
    for status in (Status.IN_PROGRESS, Status.DELAYED, Status.STALLED):
        html = status_badge(status)
        classes = re.search(r'class="(status [^"]+)"', html).group(1).split()
        # The last modifier wins in site.css: the status's own colour, if it has one.
        colours[status] = _css_colour(css, f".{classes[-1]}", "color")
        # Never colour alone: the symbol and the word are still there.
        assert STATUS_INFO[status].symbol in html and str(status.label) in html

    assert len(set(colours.values())) == 3, colours
