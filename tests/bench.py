"""Benchmarks: how fast the public pages are, and how much memory they take, at scale.

Run with `make bench` (or `make bench BENCH_SIZES=100,1000`), which runs
`python -m tests.bench`. It builds a throwaway SQLite database per size under a temporary
folder, fills it with clearly synthetic commitments, and prints a table: median milliseconds
over several requests, SQL queries, and peak Python memory (tracemalloc) per request. Nothing
here runs in the test suite and nothing touches your database.
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEATS = int(os.environ.get("BENCH_REPEATS", "7"))


def _setup_django(db_path: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False


def _fill(n: int) -> None:
    """Synthetic data, labelled as such. Bulk-written for speed: this is not an edit path."""
    from django.core.management import call_command

    from tracker.models import (
        Actor,
        Commitment,
        MemberGroup,
        MemberProgress,
        MemberState,
        Source,
        Status,
        StatusUpdate,
        Theme,
    )

    call_command("migrate", verbosity=0)
    event = datetime.date(2026, 1, 15)
    source = Source.objects.create(
        slug="synthetic",
        title="SYNTHETIC benchmark source",
        event_name="Synthetic summit",
        event_place="Nowhere",
        event_date=event,
        full_text="Synthetic text. " * 200,
    )
    actors = Actor.objects.bulk_create(
        Actor(slug=f"actor-{i}", name=f"Synthetic actor {i}", kind="group") for i in range(40)
    )
    themes = Theme.objects.bulk_create(
        Theme(slug=f"theme-{i}", name=f"Synthetic theme {i}", position=i) for i in range(8)
    )
    statuses = list(Status)
    # A third of the commitments are carried out by each of 11 member states, as nine of the
    # 21 ADGMIN ones are: 11 progress rows each, one in three with a public update.
    group = MemberGroup.objects.create(slug="synthetic-group", name="Synthetic group")
    members = MemberState.objects.bulk_create(
        MemberState(group=group, slug=f"member-{i}", name=f"Synthetic member {i}",
                    joined_on=datetime.date(1967, 8, 8), position=i)
        for i in range(11)
    )  # fmt: skip
    commitments = Commitment.objects.bulk_create(
        Commitment(
            source=source,
            slug=f"synthetic-{i}",
            title=f"Synthetic commitment {i}",
            summary="Synthetic summary for benchmarking. " * 3,
            quote="Synthetic text.",
            position=i,
            proposer=actors[i % 5],
            owner=actors[5 + i % 35],
            status=statuses[i % len(statuses)],
            status_date=event,
            is_published=True,
            member_group=group if i % 3 == 0 else None,
        )
        for i in range(n)
    )
    national = [c for c in commitments if c.member_group_id is not None]
    MemberProgress.objects.bulk_create(
        MemberProgress(commitment=c, member=m, status=statuses[(i + j) % len(statuses)],
                       status_date=event)
        for i, c in enumerate(national)
        for j, m in enumerate(members)
    )  # fmt: skip
    StatusUpdate.objects.bulk_create(
        StatusUpdate(commitment=c, member=m, status=statuses[(i + j) % len(statuses)],
                     previous_status=Status.NOT_ASSESSED, as_of=event + datetime.timedelta(days=1),
                     note="Synthetic member note.", basis="self_reported", is_public=True)
        for i, c in enumerate(national)
        for j, m in enumerate(members)
        if (i + j) % 3 == 0
    )  # fmt: skip
    Through = Commitment.themes.through
    Through.objects.bulk_create(
        Through(commitment=c, theme=themes[i % 8]) for i, c in enumerate(commitments)
    )
    StatusUpdate.objects.bulk_create(
        StatusUpdate(
            commitment=c,
            status=c.status,
            previous_status=Status.NOT_ASSESSED,
            as_of=event + datetime.timedelta(days=1 + i % 300),
            note="Synthetic note. " * 5,
            basis="secretariat_verified",
            is_public=True,
        )
        for i, c in enumerate(commitments)
        for _ in range(3)
    )


def _measure(client, url: str) -> tuple[float, int, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm caches and templates
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        response = client.get(url)
        b"".join(response) if response.streaming else response.content
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        tracemalloc.start()
        response = client.get(url)
        size = len(b"".join(response) if response.streaming else response.content)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return statistics.median(times), len(queries), peak / 1024 / 1024, size


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "100,1000,5000").split(",")]
    urls = os.environ.get("BENCH_URLS", "").split(",") if os.environ.get("BENCH_URLS") else None
    tmp = Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    _setup_django(tmp / "bench.sqlite3")
    from django.db import connection
    from django.test import Client

    from tracker.models import Commitment

    print(f"{'rows':>6}  {'url':<60} {'median ms':>9} {'queries':>7} {'peak MiB':>8} {'KiB':>6}")
    for n in sizes:
        connection.close()
        db = tmp / f"bench-{n}.sqlite3"
        connection.settings_dict["NAME"] = str(db)
        _fill(n)
        slug = Commitment.objects.order_by("pk").values_list("slug", flat=True)[n // 2]
        pages = urls or [
            "/",
            "/commitments/",
            "/commitments/?q=synthetic&theme=theme-3&order=-status_date",
            f"/commitments/{slug}/",
            "/themes/theme-3/",
            "/actors/actor-7/",
            "/actors/",
            "/sources/synthetic/",
            "/charts/",
            "/scorecard/",
            "/scorecard/?theme=theme-3",
            "/scorecard/methodology/",
            "/members/",
            "/members/member-5/",
            "/members/member-5/feed/",
            "/feeds/updates/",
            "/sitemap.xml",
            "/commitments/export.csv",
            "/commitments/export.json",
            "/data/dataset.json",
            "/scorecard/export.csv",
            "/scorecard/export.json",
        ]
        client = Client()
        for url in pages:
            ms, queries, peak, size = _measure(client, url)
            print(f"{n:>6}  {url:<60} {ms:>9.1f} {queries:>7} {peak:>8.1f} {size / 1024:>6.0f}")


if __name__ == "__main__":
    main()
