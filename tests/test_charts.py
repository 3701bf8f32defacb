"""Server-rendered SVG charts, each with a title, a description and the figures as a table."""

import datetime
import re

from django.conf import settings

from tests import factories
from tests.html import check_page, h1_of
from tracker import charts
from tracker.charts import bucket_chart, stacked_chart, status_chart
from tracker.models import Basis, Status


def svgs(html: str) -> list[str]:
    return re.findall(r"<svg class=\"chart__svg\".*?</svg>", html, re.S)


def test_the_charts_page_shows_status_progress_theme_and_owner_charts(
    client, make_commitment, make_theme, make_actor
):
    roads = make_theme(slug="roads", name="Roads")
    states = make_actor(slug="states", name="Member states")
    make_commitment(themes=[roads], owner=states)
    done = make_commitment(themes=[roads], owner=states)
    done.record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.COMPLETED,
        as_of=datetime.date(2026, 3, 1),
        note="Done.",
    )

    response = client.get("/charts/")

    assert response.status_code == 200
    html = response.content.decode()
    parser = check_page(html)
    assert h1_of(html) == "Progress in charts"
    charts = svgs(html)
    assert len(charts) == 4
    for chart in charts:
        ids = re.search(r'aria-labelledby="([\w-]+) ([\w-]+)"', chart).groups()
        assert f'<title id="{ids[0]}">' in chart and f'<desc id="{ids[1]}">' in chart
        assert 'role="img"' in chart
    assert '<desc id="chart-status-desc">2 commitments: ? Not yet assessed: 1;' in html
    assert "✓ Completed: 1;" in html
    assert '<desc id="chart-themes-desc">Roads: 2 commitments: 1 pending, 0 active, 1 done, ' in (
        html
    )
    assert "Member states: 2 commitments: 1 pending, 0 active, 1 done, 0 closed." in html
    assert sum(1 for tag, _ in parser.tags if tag == "table") == 4
    assert sum(1 for tag, _ in parser.tags if tag == "caption") == 4
    # Each figure in the table opens the commitments it counts.
    assert '<a href="/commitments/?theme=roads&amp;bucket=done">1</a>' in html
    assert '<a href="/commitments/?owner=states&amp;bucket=pending">1</a>' in html
    assert '<a href="/commitments/?status=completed">✓ Completed</a>' in html


def test_charts_use_no_inline_style_or_script(client, make_commitment):
    make_commitment()

    html = client.get("/charts/").content.decode()

    assert "style=" not in html and "<script" not in html


def test_the_dashboard_links_to_the_charts(client, db):
    assert 'href="/charts/">All the figures as charts</a>' in client.get("/").content.decode()


def test_theme_and_actor_pages_chart_their_commitments_by_status(
    client, make_commitment, make_theme, make_actor
):
    roads, owner = make_theme(slug="roads", name="Roads"), make_actor(slug="o", name="Owner")
    make_commitment(themes=[roads], owner=owner).record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.STALLED,
        as_of=datetime.date(2026, 3, 1),
        note="x",
    )

    theme_html = client.get("/themes/roads/").content.decode()
    actor_html = client.get("/actors/o/").content.decode()

    assert '<title id="chart-status-title">Roads: commitments by status</title>' in theme_html
    assert "‖ Stalled: 1;" in theme_html
    assert '<a href="/commitments/?theme=roads&amp;status=stalled">' in theme_html
    assert "Owner: commitments it owns, by status" in actor_html
    assert '<a href="/commitments/?owner=o&amp;status=stalled">' in actor_html


def test_bar_lengths_are_shares_of_the_largest():
    chart = status_chart("c", "T", {"in_progress": 4, "completed": 2}, "/l?")

    widths = {bar.label: bar.width for bar in chart.bars}
    assert widths["◔ In progress"] == "400.00"
    assert widths["✓ Completed"] == "200.00"
    # No rows of zeros: the statuses nobody has are named once, as "none".
    assert "○ Not started" not in widths
    assert "○ Not started" in chart.none
    assert chart.height == 2 * 36
    assert chart.description.startswith("6 commitments: ◔ In progress: 4; ✓ Completed: 2; none ")


def test_an_empty_chart_draws_no_bar():
    chart = bucket_chart("c", "T", {}, "/l?")

    assert chart.bars == []
    assert chart.description == "No commitments."


def test_stacked_rows_share_one_scale():
    chart = stacked_chart(
        "c",
        "T",
        "Theme",
        [("Big", "/b/", "/l?", {"pending": 4}), ("Small", "/s/", "/l?", {"done": 1})],
    )

    big, small = chart.rows
    assert [(s.x, s.width) for s in big.segments] == [("0.00", "400.00")]
    # A quarter as many commitments: a quarter as long, not a full bar labelled 1.
    assert [(s.x, s.width) for s in small.segments] == [("0.00", "100.00")]


def test_stacked_rows_split_a_full_bar_by_bucket():
    long_name = "A very long theme name " * 3
    chart = stacked_chart("c", "T", "Theme", [(long_name, "/t/", "/l?", {"done": 1, "pending": 3})])

    row = chart.rows[0]
    assert [(s.share.bucket, s.x, s.width) for s in row.segments] == [
        ("pending", "0.00", "300.00"),
        ("done", "300.00", "100.00"),
    ]
    # Never cut short: the label wraps, and the row grows by a line for each line more.
    assert " ".join(row.lines) == long_name.strip()
    assert len(row.lines) == 3 and all(len(line) <= charts.LABEL_CHARS for line in row.lines)
    assert row.bar_y == row.y + charts.BAR_TOP + 2 * charts.LINE_HEIGHT
    assert chart.height == charts.ROW_HEIGHT + 2 * charts.LINE_HEIGHT


def test_the_charts_page_runs_the_same_queries_for_one_or_fifty(
    client, make_commitment, make_theme, django_assert_num_queries
):
    theme = make_theme()
    make_commitment(themes=[theme])
    # the content version, the figures (every count, once per version), the themes, the actors (no
    # member state is public here)
    with django_assert_num_queries(4):
        client.get("/charts/")
    for _ in range(49):
        make_commitment(themes=[theme])
    with django_assert_num_queries(4):
        html = client.get("/charts/").content.decode()
    # Statuses and buckets with no commitment are table rows of their own (with 0) but not bars.
    assert html.count('<tr><th scope="row">') == 10 + 4 + 1 + 50


def test_the_charts_page_charts_each_member_states_score(client, db):
    _, states, made = factories.make_scorecard(members=3, commitments=2)
    factories.record_member_status(made[0], states[0], Status.COMPLETED)
    factories.record_member_status(made[0], states[1], Status.NOT_STARTED)
    factories.record_member_status(made[1], states[1], Status.IN_PROGRESS)

    html = client.get("/charts/").content.decode()

    check_page(html)
    assert '<h2 id="members-heading">Per member state</h2>' in html
    assert 'aria-labelledby="chart-members-title chart-members-desc"' in html
    assert f"{states[0].name}: +1.00, assessed on 1 of 2 commitments." in html
    assert f"{states[2].name}: not scored, assessed on 0 of 2 commitments." in html
    # The figures as a table: score, assessed, done, commitments.
    assert (
        f'<a href="{states[1].get_absolute_url()}">{states[1].name}</a></th><td class="num">'
        "−0.50</td>" in html
    )


def test_score_bars_run_from_the_zero_line_as_long_as_the_score():
    class Member:
        def __init__(self, name, score):
            self.name, self.compliance_score = name, score
            self.commitments_assessed = self.commitments_tracked = self.commitments_done = 1

        def get_absolute_url(self):
            return f"/members/{self.name}/"

    chart = charts.score_chart(
        "c", "Scores", [Member("a", 1), Member("b", -0.5), Member("c", 0), Member("d", None)]
    )

    half = charts.WIDTH / 2
    assert [(bar.x, bar.width, bar.css) for bar in chart.bars] == [
        (f"{half:.2f}", f"{half:.2f}", "score--positive"),
        (f"{half * 0.5:.2f}", f"{half * 0.5:.2f}", "score--negative"),
        (f"{half:.2f}", "0.00", ""),
        (f"{half:.2f}", "0.00", ""),
    ]


def test_without_member_states_there_is_no_member_chart(client, make_commitment):
    make_commitment()

    assert "Per member state" not in client.get("/charts/").content.decode()


def test_the_member_chart_costs_one_query_for_many_members(client, db, django_assert_num_queries):
    factories.make_scorecard(members=11, commitments=20)

    # the content version, the figures (once per version), the actors, the member states (no theme
    # is public here)
    with django_assert_num_queries(4):
        assert client.get("/charts/").status_code == 200


def test_delayed_and_stalled_bars_are_not_drawn_in_the_in_progress_colour():
    chart = status_chart("c", "T", {"in_progress": 1, "delayed": 1, "stalled": 1}, "/l?")

    classes = {bar.label: bar.css for bar in chart.bars}
    assert classes["◔ In progress"] == "bucket--active"
    assert classes["◷ Delayed"] == "bucket--active bar--delayed"
    assert classes["‖ Stalled"] == "bucket--active bar--stalled"
    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text(encoding="utf-8")
    fills = [
        re.search(rf"\.{name} \{{ fill: var\((--[\w-]+)\); \}}", css).group(1)
        for name in ("bucket--active", "bar--delayed", "bar--stalled")
    ]
    assert len(set(fills)) == 3
    # Declared after the buckets' colours, so a bar's own class wins.
    assert css.index(".bar--delayed") > css.index(".bucket--active {")


def test_the_main_menu_links_to_the_charts_and_marks_them_as_the_current_page(client, db):
    charts_html = client.get("/charts/").content.decode()
    other_html = client.get("/themes/").content.decode()

    assert '<a href="/charts/" aria-current="page">Charts</a>' in charts_html
    assert '<a href="/charts/">Charts</a>' in other_html
