"""Benchmarks: what visitors feel at the scale of a real regional tracker, on both databases.

Run with `make bench` (both databases; `make bench DB=sqlite` or `DB=postgres` for one). This
module measures the database DATABASE_URL names: PostgreSQL when it names one (the Makefile
starts a throwaway cluster with .ci/with-postgres.sh and fills it), else a SQLite file in
bench-results/ built once and reused (delete the folder to rebuild). Nothing here runs in the
test suite and nothing touches your database.

1. The data, clearly synthetic: BENCH_COMMITMENTS commitments (10,000) with BENCH_UPDATES
   public updates (100,000), 11 member states each tracked on every tenth commitment, 40
   actors, 8 themes.
2. In process, with the page cache off: for each page and admin changelist, the SQL queries of
   one request and the median milliseconds of BENCH_REPEATS requests.
3. Over HTTP, as users get it: gunicorn in production mode (DEBUG off, hashed static files),
   one worker pinned to core 0 with `taskset`, and the load generator `wrk` (installed from
   Debian when missing) pinned to core 1. For each page: requests per second with the cache
   off (cold), on (warm) and conditional revisits (If-None-Match, answered 304), each as a
   percentage of a static file served by whitenoise and of a bare view (tests/bench_urls.py:
   an empty response through the whole middleware stack), both measured again just before
   each page: the machine is shared, and a figure from minutes earlier compares other loads.
4. The worker's memory (RSS) before and after 10,000 requests over every page, then before and
   after 1,000 requests with junk parameters (?fbclid=N, ?utm_source=N, ?page=0N, a repeated
   page): the cache keeps none of them (issue 21).

BENCH_SECONDS sets how long each warm and 304 wrk run lasts (default 5; the others take half),
BENCH_PORT the first port (default 8210; the cold and warm servers take it and the next one).
BENCH_PAGES, a comma-separated list of addresses, measures only those (no admin page, no import),
e.g. to measure again a page whose figure a burst of load on the shared machine spoiled.
"""

from __future__ import annotations

import datetime
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench-results"
COMMITMENTS = int(os.environ.get("BENCH_COMMITMENTS", "10000"))
UPDATES = int(os.environ.get("BENCH_UPDATES", "100000"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "7"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
PORT = int(os.environ.get("BENCH_PORT", "8210"))
MEMBERS = 11
# Goals (issue 20): queries and uncached milliseconds per public page and admin changelist;
# warm pages and 304s as a percentage of the static file's req/s; worker growth in MiB.
MAX_QUERIES, MAX_MS, ADMIN_MS, WARM_SHARE, NOT_MODIFIED_SHARE, MAX_GROWTH = 10, 30, 60, 70, 80, 2
POSTGRES_URL = os.environ.get("DATABASE_URL", "")
if not POSTGRES_URL.startswith(("postgres://", "postgresql://")):
    POSTGRES_URL = ""


def _db_path() -> Path:
    return OUT / f"bench-{COMMITMENTS}-{UPDATES}.sqlite3"


def _database_url() -> str:
    return POSTGRES_URL or f"sqlite:///{_db_path()}"


def _env(**extra) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=_database_url(),
        DJANGO_SETTINGS_MODULE="tests.bench_settings",
        DJANGO_SECRET_KEY=_secret(),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,testserver",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_DEBUG="0",
        DJANGO_LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def _secret() -> str:
    if not hasattr(_secret, "value"):
        _secret.value = secrets.token_urlsafe(50)
    return _secret.value


def _setup_django() -> None:
    os.environ.update(_env())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _filled() -> bool:
    from django.db import connection

    from tracker.models import Commitment

    if not POSTGRES_URL:
        return _db_path().exists()
    return Commitment._meta.db_table in connection.introspection.table_names() and (
        Commitment.objects.exists()
    )


def _fill() -> None:
    """Synthetic data, labelled as such. Bulk-written for speed: this is not an edit path."""
    from django.core.management import call_command

    from tracker import search_index
    from tracker.models import (
        Actor,
        Commitment,
        ContentVersion,
        MemberGroup,
        MemberProgress,
        MemberState,
        Source,
        Status,
        StatusUpdate,
        Theme,
    )

    call_command("migrate", verbosity=0)
    event = datetime.date(2024, 1, 15)
    group = MemberGroup.objects.create(slug="synthetic-group", name="SYNTHETIC group")
    members = MemberState.objects.bulk_create(
        MemberState(
            group=group,
            slug=f"member-{i}",
            name=f"Synthetic member {i}",
            joined_on=datetime.date(1967, 8, 8),
            position=i,
        )
        for i in range(MEMBERS)
    )
    sources = Source.objects.bulk_create(
        Source(
            slug=f"synthetic-{i}",
            title=f"SYNTHETIC benchmark source {i}",
            event_name=f"Synthetic summit {i}",
            event_place="Nowhere",
            event_date=event,
            full_text="Synthetic text. " * 200,
        )
        for i in range(50)
    )
    actors = Actor.objects.bulk_create(
        Actor(slug=f"actor-{i}", name=f"Synthetic actor {i}", kind="group") for i in range(40)
    )
    themes = Theme.objects.bulk_create(
        Theme(slug=f"theme-{i}", name=f"Synthetic theme {i}", position=i) for i in range(8)
    )
    statuses = list(Status)
    commitments = Commitment.objects.bulk_create(
        Commitment(
            source=sources[i % len(sources)],
            slug=f"synthetic-{i}",
            title=f"Synthetic commitment {i}",
            # Every tenth in Vietnamese too, for the searches in that language.
            title_vi=f"Cam kết tổng hợp {i} về trung tâm dữ liệu" if i % 10 == 0 else "",
            summary="Synthetic summary for benchmarking. " * 3,
            quote="Synthetic text.",
            position=i,
            proposer=actors[i % 5],
            # Actor 7 owns about 170 commitments, as the busiest actor page did.
            owner=actors[5 + i % 35] if i % 59 else actors[7],
            member_group=group if i % 10 == 0 else None,
            status=statuses[i % len(statuses)],
            status_date=event,
            is_published=i % 50 != 1,  # a few drafts
        )
        for i in range(COMMITMENTS)
    )
    Themes = Commitment.themes.through
    Themes.objects.bulk_create(
        Themes(commitment=c, theme=themes[i % 8]) for i, c in enumerate(commitments)
    )
    Partners = Commitment.partners.through
    Partners.objects.bulk_create(
        Partners(commitment=c, actor=actors[(i * 7) % 40])
        for i, c in enumerate(commitments)
        if i % 3 == 0
    )
    tracked = [c for c in commitments if c.member_group_id]
    MemberProgress.objects.bulk_create(
        MemberProgress(
            commitment=c, member=m, status=statuses[(c.pk + m.pk) % 10], status_date=event
        )
        for c in tracked
        for m in members
    )
    # The updates: per commitment, the commitment's own chain; every tenth is a member's.
    per = UPDATES // COMMITMENTS
    batch = []
    for i, c in enumerate(commitments):
        for k in range(per):
            member = members[k % MEMBERS] if c.member_group_id and k % 10 == 9 else None
            batch.append(
                StatusUpdate(
                    commitment=c,
                    member=member,
                    status=c.status,
                    previous_status=Status.NOT_ASSESSED,
                    as_of=event + datetime.timedelta(days=1 + (i + k) % 300),
                    note="Synthetic note. " * 5,
                    basis="secretariat_verified",
                    is_public=k % 7 != 3,  # some internal notes
                )
            )
        if len(batch) >= 20000:
            StatusUpdate.objects.bulk_create(batch)
            batch = []
    StatusUpdate.objects.bulk_create(batch)
    # bulk_create() is no write path: it says so itself, and writes the search documents.
    search_index.rebuild()
    ContentVersion.bump()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    if connection.vendor == "postgresql":
        # As autovacuum would soon after a load: the visibility map lets PostgreSQL answer
        # counts from the indexes alone.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")


def _pages() -> list[str]:
    from tracker.models import Commitment

    tracked = Commitment.objects.filter(member_group__isnull=False, is_published=True)
    slug = (
        Commitment.objects.public().order_by("pk").values_list("slug", flat=True)[COMMITMENTS // 2]
    )
    return [
        "/",
        "/commitments/",
        "/commitments/?page=40",
        "/commitments/?q=synthetic&theme=theme-3&order=-status_date",
        # Searches (issue 22): a word in every commitment, ranked; a rare pair; Vietnamese
        # without its accents, in a tenth of them.
        "/commitments/?q=synthetic",
        "/commitments/?q=commitment+4242",
        "/vi/commitments/?q=trung+tam+du+lieu",
        f"/commitments/{slug}/",
        f"/commitments/{tracked.values_list('slug', flat=True).first()}/",
        f"/commitments/{slug}/badge.svg",
        f"/commitments/{slug}/feed/",
        "/themes/",
        "/themes/theme-3/",
        "/themes/theme-3/?page=40",
        "/themes/theme-3/feed/",
        "/actors/",
        "/actors/actor-7/",
        "/actors/actor-7/?page=5",
        "/actors/actor-7/feed/",
        "/sources/synthetic-3/",
        "/charts/",
        "/statuses/",
        "/feeds/updates/",
        "/data/",
        "/scorecard/",
        "/members/",
        "/sitemap.xml",
        "/sitemap-commitments.xml?p=5",
        "/sitemap-actors.xml",
    ]


ADMIN_PAGES = [
    "/admin/tracker/commitment/",
    "/admin/tracker/commitment/?q=synthetic+commitment+42",
    "/admin/tracker/statusupdate/",
    "/admin/tracker/actor/",
    "/admin/tracker/source/",
    "/admin/tracker/theme/",
]


def _in_process(pages: list[str]) -> dict[str, tuple[int, float]]:
    """Queries and median ms per page, rendered in this process with the cache off."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.TRACKER_PAGE_CACHE = False
    anonymous, editor = Client(), Client()
    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    editor.force_login(user)
    results = {}
    for url in pages + ADMIN_PAGES:
        client = editor if url.startswith("/admin/") else anonymous
        response = client.get(url, secure=True)
        assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            response = client.get(url, secure=True)
            b"".join(response) if response.streaming else response.content
            times.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(url, secure=True)
        results[url] = (len(queries), statistics.median(times))
    settings.TRACKER_PAGE_CACHE = True
    return results


def _wrk() -> str:
    if not shutil.which("wrk"):
        print("Installing wrk (Debian package wrk)...", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False)
        if not shutil.which("wrk"):
            subprocess.run(["apt-get", "update", "-qq"], check=True)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return shutil.which("wrk")


class Server:
    """gunicorn, one worker on core 0, production mode."""

    def __init__(self, port: int, cache: bool):
        self.port = port
        env = _env(TRACKER_PAGE_CACHE="1" if cache else "0")
        command = [
            "taskset", "-c", "0", sys.executable, "-m", "gunicorn", "--workers", "1",
            "--bind", f"127.0.0.1:{port}", "--timeout", "120", "--max-requests", "0",
            "--log-level", "warning", "config.wsgi",
        ]  # fmt: skip
        self.log = open(OUT / f"gunicorn-{port}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=self.log
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit(f"gunicorn did not start: see {self.log.name}")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def worker_rss_mib(self) -> float:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        worker = children.split()[0]
        status = Path(f"/proc/{worker}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def _rate(wrk: str, url: str, *headers: str, seconds: int = SECONDS) -> float:
    """Requests per second from wrk on core 1 (one thread, eight connections)."""
    command = ["taskset", "-c", "1", wrk, "-t1", "-c8", f"-d{seconds}s", "--latency", url]
    for header in headers:
        command += ["-H", header]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        raise SystemExit(f"{url}: {non_2xx.group(1)} failed responses\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def _etag(url: str) -> str:
    with urllib.request.urlopen(url) as response:
        return response.headers.get("ETag", "")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    _setup_django()
    from django.core.management import call_command
    from django.db import connection

    database = f"PostgreSQL {connection.pg_version}" if POSTGRES_URL else "SQLite"
    if os.environ.get("BENCH_ONLY") == "imports":
        print(f"Machine: {os.cpu_count()} cores, {_machine()}; Python {sys.version.split()[0]}")
        failures = imports(database)
        print(f"Goals not met ({database}): {failures}" if failures else "Every goal met.")
        return
    if not _filled():
        where = "the throwaway cluster" if POSTGRES_URL else f"{_db_path().name} (reused)"
        print(f"Filling {where}...", flush=True)
        start = time.perf_counter()
        _fill()
        print(f"  filled in {time.perf_counter() - start:.0f} s", flush=True)
    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    if POSTGRES_URL:
        # As docs/deploy.md sets the app's role up; new connections (the servers') take it.
        with connection.cursor() as cursor:
            cursor.execute("ALTER DATABASE tracker SET jit = off")
        connection.close()
    from django.contrib.staticfiles.storage import staticfiles_storage

    pages = _pages()
    if os.environ.get("BENCH_PAGES"):
        pages = os.environ["BENCH_PAGES"].split(",")
        ADMIN_PAGES.clear()
    static_path = staticfiles_storage.url("css/site.css")
    print(f"Machine: {os.cpu_count()} cores, {_machine()}; Python {sys.version.split()[0]}")
    print(f"Data: {COMMITMENTS:,} commitments, {UPDATES:,} updates, {database}")
    print()
    print("In process, cache off (queries, median ms):", flush=True)
    measured = _in_process(pages)
    failures = []
    for url, (queries, ms) in measured.items():
        limit = ADMIN_MS if url.startswith("/admin/") else MAX_MS
        flag = "" if queries <= MAX_QUERIES and ms <= limit else "  <- over the goal"
        if flag:
            failures.append(f"{url}: {queries} queries, {ms:.0f} ms (goal {limit} ms)")
        print(f"  {url:<62} {queries:>3} q {ms:>8.1f} ms{flag}", flush=True)

    wrk = _wrk()
    cold, warm = Server(PORT, cache=False), Server(PORT + 1, cache=True)
    short = max(2, SECONDS // 2)
    try:
        print()
        print(f"Over HTTP, wrk on core 1, gunicorn (1 worker) on core 0, {database}:")
        print(
            "  req/s; each as % of the static file | of the bare view, both measured again\n"
            "  just before the page (goals: warm >= 70% and 304 >= 80% of the static file)"
        )
        print(f"  {'page':<54} {'static':>6} {'bare':>6} {'cold':>16} {'warm':>16} {'304':>16}")
        for url in pages:
            _etag(warm.url(url))  # fills the cache
            static = _rate(wrk, warm.url(static_path), seconds=short)
            bare = _rate(wrk, warm.url("/bench/bare/"), seconds=short)
            cold_rate = _rate(wrk, cold.url(url), seconds=short)
            warm_rate = _rate(wrk, warm.url(url))
            etag = _etag(warm.url(url))
            not_modified = _rate(wrk, warm.url(url), f"If-None-Match: {etag}")
            warm_share, share_304 = 100 * warm_rate / static, 100 * not_modified / static
            flag = ""
            if warm_share < WARM_SHARE or share_304 < NOT_MODIFIED_SHARE:
                flag = "  <- under the goal"
                failures.append(
                    f"{url}: warm {warm_share:.0f}% / 304 {share_304:.0f}% of the static file"
                )

            figures = " ".join(
                f"{f'{rate:,.0f} {100 * rate / static:3.0f}|{100 * rate / bare:3.0f}%':>16}"
                for rate in (cold_rate, warm_rate, not_modified)
            )
            print(
                f"  {url[:54]:<54} {static:>6,.0f} {bare:>6,.0f} {figures}{flag}",
                flush=True,
            )
        print()
        before = warm.worker_rss_mib()
        _requests(warm, pages, 10_000)
        after = warm.worker_rss_mib()
        print(f"Worker memory over 10,000 requests: {before:.1f} MiB -> {after:.1f} MiB")
        if after - before > MAX_GROWTH:
            failures.append(f"worker memory grew by {after - before:.1f} MiB")
        # Issue 21: addresses a shared link or a crawler makes up must not fill the cache.
        for n in range(len(JUNK)):  # the pages they stand for, kept once
            _requests(warm, [_canonical(_junk(n))], 1)
        before = warm.worker_rss_mib()
        _requests(warm, [_junk(n) for n in range(JUNK_REQUESTS)], JUNK_REQUESTS)
        after = warm.worker_rss_mib()
        print(
            f"Worker memory over {JUNK_REQUESTS:,} requests with junk parameters: "
            f"{before:.1f} MiB -> {after:.1f} MiB"
        )
        if after - before > MAX_GROWTH:
            failures.append(f"junk parameters grew worker memory by {after - before:.1f} MiB")
    finally:
        cold.stop()
        warm.stop()
    print()
    if not os.environ.get("BENCH_PAGES"):  # measuring some pages again, not the importers
        failures += imports(database)
    if failures:
        print(f"Goals not met ({database}):")
        for failure in failures:
            print(f"  {failure}")
    else:
        print(f"Every goal met ({database}).")


# Junk parameters (issue 21): what social networks add to shared links, what a crawler makes
# up. Before, each address was one more copy of its page in the cache: 1,000 of them grew the
# worker by the pages' size (a sitemap section is 530 KB). None is kept now: the page is
# served from its one copy, or the address redirected to it.
JUNK_REQUESTS = 1000
JUNK = [
    "/?fbclid=IwAR{n}",
    "/commitments/?utm_source=s{n}&utm_medium=social",
    "/scorecard/?gclid={n}",
    "/sitemap-commitments.xml?fbclid={n}",
    "/themes/theme-3/?page=0{n}",
    "/commitments/?page={n}&page=1",
]


def _junk(n: int) -> str:
    return JUNK[n % len(JUNK)].format(n=n)


def _canonical(url: str) -> str:
    """The page a junk address stands for: its path."""
    return url.split("?")[0]


def _requests(server: Server, pages: list[str], n: int) -> None:
    """n requests over every page in turn, through one kept-alive connection."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", server.port)
    for i in range(n):
        connection.request("GET", pages[i % len(pages)])
        connection.getresponse().read()
    connection.close()


def _machine() -> str:
    try:
        model = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text()).group(1)
    except (OSError, AttributeError):
        model = "unknown CPU"
    memory = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    return f"{model}, {memory / 1024 / 1024:.0f} GiB"


# Issue 21: the importers. `BENCH_ONLY=imports python -m tests.bench` runs this section alone.
# Each command runs in a process of its own, timed, its peak memory (RSS) read from the kernel
# (os.wait4()), into a database of its own: a SQLite file in bench-results/, or a database
# `tracker_import` beside the bench's on PostgreSQL.

IMPORT_COMMITMENTS = int(os.environ.get("BENCH_IMPORT_COMMITMENTS", "10000"))
IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "200000"))
# BENCH_IMPORT_BIG_DATASET=1 also dry-runs a dataset of IMPORT_ROWS commitments with histories.
# Goals (issue 21): the dataset imported in seconds; a dry run's peak memory in MB.
MAX_IMPORT_SECONDS, MAX_DRY_RUN_MB = 20, 300
_STATUSES = ["not_started", "in_progress", "delayed", "partially_completed", "completed"]


def _line(record: dict) -> str:
    import json

    return json.dumps(record, ensure_ascii=False)


def write_import_dataset(
    path: Path, n: int, sources: int = 50, tracked_every: int = 10, members: int = 11
) -> None:
    """A dataset file as /data/dataset.json writes it, clearly synthetic: `n` commitments in
    `sources` sources, each with 0 to 3 updates of its own (statuses going back and forth);
    every `tracked_every`-th carried out by each of `members` member states, each with an
    update of its own, and its notes dated after them; one member joined after the meeting."""
    event = datetime.date(2024, 1, 15)

    def day(k: int) -> str:
        return (event + datetime.timedelta(days=k)).isoformat()

    per = -(-n // sources)
    slugs = [f"import-commitment-{i}" for i in range(n)]
    tracked = [i for i in range(n) if tracked_every and i % tracked_every == 0]

    def members_of(i: int) -> list[tuple[int, str, str]]:
        return [(m, _STATUSES[(i + m) % 5], day(5 + m)) for m in range(members)]

    def derived(i: int) -> str:
        present = {status for _m, status, _d in members_of(i)}
        return present.pop() if len(present) == 1 else "in_progress"

    def own(i: int) -> list[dict]:
        updates, previous = [], "not_assessed"
        for j in range(i % 4):
            status = derived(i) if i in tracked_set else _STATUSES[(i * 3 + j * 2) % 5]
            updates.append(
                {"commitment": slugs[i], "as_of": day(30 + 10 * j), "status": status,
                 "previous_status": previous, "note": f"Synthetic note {j} on {i}.",
                 "evidence_url": "https://example.org/evidence" if j % 2 else "",
                 "basis": "secretariat_verified"}
            )  # fmt: skip
            previous = status
        return updates

    tracked_set = set(tracked)
    tables: dict[str, Any] = {
        "sources": (
            {"slug": f"import-source-{s}", "title": f"SYNTHETIC import source {s}",
             "publisher": "", "author": "", "url": "", "published_on": None,
             "retrieved_on": None, "event_name": f"Synthetic summit {s}",
             "event_place": "Nowhere", "event_date": event.isoformat(), "language": "en",
             "full_text": "Synthetic report.\n\n" + " ".join(
                 f"Leaders promised synthetic\nthing number {i} for everyone."
                 for i in range(s * per, min(n, (s + 1) * per)))}
            for s in range(sources)
        ),
        "actors": (
            {"slug": f"import-actor-{a}", "name": f"Synthetic actor {a}", "kind": "group",
             "role": "", "affiliation": ""}
            for a in range(40)
        ),
        "themes": (
            {"slug": f"import-theme-{t}", "name": f"Synthetic import theme {t}",
             "description": "", "position": t}
            for t in range(8)
        ),
        "commitments": (
            {"slug": slugs[i], "title": f"Synthetic commitment {i}",
             "summary": "Synthetic summary for benchmarking.",
             "quote": f"promised synthetic thing number {i} for", "heading": "", "position": i,
             "source": f"import-source-{i // per}", "proposer": f"import-actor-{i % 5}",
             "owner": f"import-actor-{5 + i % 35}",
             "partners": [f"import-actor-{(i * 7) % 40}"] if i % 3 == 0 else [],
             "themes": [f"import-theme-{i % 8}"], "kind": "commitment",
             "status": (derived(i) if i in tracked_set
                        else (own(i)[-1]["status"] if own(i) else "not_assessed")),
             "status_date": (max(d for *_x, d in members_of(i)) if i in tracked_set
                             else (own(i)[-1]["as_of"] if own(i) else event.isoformat())),
             "target_date": None, "last_reviewed": day(100) if i % 2 else None}
            for i in range(n)
        ),
        "updates": (update for i in range(n) for update in own(i)),
        "member_groups": [{"slug": "import-group", "name": "SYNTHETIC import group",
                           "name_vi": "", "name_id": ""}],
        "member_states": [
            {"slug": f"import-member-{m}", "group": "import-group",
             "name": f"Synthetic member {m}", "position": m, "name_vi": "", "name_id": "",
             "joined_on": "1967-08-08" if m < members else "2030-01-01"}
            for m in range(members + 1)
        ],
        "member_progress": (
            {"commitment": slugs[i], "member": f"import-member-{m}", "status": status,
             "status_date": as_of}
            for i in tracked for m, status, as_of in members_of(i)
        ),
        "member_updates": (
            {"commitment": slugs[i], "member": f"import-member-{m}", "as_of": as_of,
             "status": status, "previous_status": "not_assessed",
             "note": "Synthetic member note.", "evidence_url": "", "basis": "self_reported"}
            for i in tracked for m, status, as_of in members_of(i)
        ),
    }  # fmt: skip
    with path.open("w", encoding="utf-8") as file:
        file.write('{"format": "commitments-tracker/dataset",\n"format_version": 1')
        for name, records in tables.items():
            file.write(f',\n"{name}": [')
            for k, record in enumerate(records):
                file.write(("\n" if k == 0 else ",\n") + _line(record))
            file.write("\n]")
        file.write("\n}\n")


def _import_database() -> str:
    """A new, empty, migrated database for the import benchmark; its URL."""
    if POSTGRES_URL:
        import psycopg

        base, _name = POSTGRES_URL.rsplit("/", 1)
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute("DROP DATABASE IF EXISTS tracker_import")
            connection.execute("CREATE DATABASE tracker_import")
        url = f"{base}/tracker_import"
    else:
        path = OUT / "import-bench.sqlite3"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    _command(url, "migrate", "--noinput")
    return url


def _command(url: str, *args: str) -> tuple[float, float, str]:
    """Run `manage.py *args` in a process of its own on the database `url`: its seconds, its
    peak memory (MiB, as the kernel counted it), and what it printed."""
    log = OUT / "import-command.log"
    with log.open("w") as output:
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=_env(DATABASE_URL=url),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
    text = log.read_text()
    if os.waitstatus_to_exitcode(status) != 0 and args[0] != "import_commitments":
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{text[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, text


def _track_for_progress(url: str, rows: int) -> list[tuple[str, str]]:
    """Commitments of the imported dataset carried out by each of 100 member states, enough
    for `rows` member progress rows: bulk-written, as the bench's own data is (not an edit
    path). Returns the (commitment, member) pairs."""
    members = 100
    commitments = [
        f"import-commitment-{i}"
        for i in range(IMPORT_COMMITMENTS)
        if i % 4 == 0 and i % 10  # no history of its own, not tracked already
    ][: -(-rows // members)]
    code = f"""
import datetime
from tracker.models import Commitment, MemberGroup, MemberProgress, MemberState, ContentVersion
group = MemberGroup.objects.create(slug="bench-progress", name="SYNTHETIC progress group")
members = MemberState.objects.bulk_create(
    MemberState(group=group, slug=f"bench-member-{{m}}", name=f"Bench member {{m}}",
                joined_on=datetime.date(1967, 8, 8), position=m)
    for m in range({members})
)
tracked = Commitment.objects.filter(slug__in={commitments!r})
tracked.update(member_group=group)
MemberProgress.objects.bulk_create(
    MemberProgress(commitment=c, member=m, status="not_assessed",
                   status_date=datetime.date(2024, 1, 15))
    for c in tracked for m in members
)
ContentVersion.bump()
"""
    _command(url, "shell", "-c", code)
    return [(c, f"bench-member-{m}") for c in commitments for m in range(members)][:rows]


def _write_progress(path: Path, pairs: list[tuple[str, str]]) -> None:
    with path.open("w", encoding="utf-8") as file:
        file.write("commitment,member,status,as_of,note,evidence_url,basis\n")
        for n, (commitment, member) in enumerate(pairs):
            status = _STATUSES[n % 5]
            file.write(
                f"{commitment},{member},{status},2024-03-01,Synthetic progress {n}.,,"
                "self_reported\n"
            )


def _write_commitments_csv(path: Path, n: int) -> None:
    """A commitments CSV of `n` rows naming the imported dataset's sources and actors."""
    import csv

    per = -(-IMPORT_COMMITMENTS // 50)
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(
            ["slug", "title", "summary", "quote", "heading", "position", "source", "proposer",
             "owner", "partners", "themes", "status", "status_date", "target_date"]
        )  # fmt: skip
        for i in range(n):
            j = i % IMPORT_COMMITMENTS
            writer.writerow(
                [f"csv-commitment-{i}", f"Synthetic CSV commitment {i}", "Synthetic summary.",
                 f"promised synthetic thing number {j} for", "", i, f"import-source-{j // per}",
                 f"import-actor-{i % 5}", f"import-actor-{5 + i % 35}", "", "import-theme-1",
                 "not_assessed", "2024-01-15", ""]
            )  # fmt: skip


def imports(database: str) -> list[str]:
    """The import benchmark: prints its figures, returns the goals not met."""
    failures = []
    print(f"Imports ({database}): each command in a process of its own; peak memory (RSS)")
    url = _import_database()
    dataset = OUT / f"import-dataset-{IMPORT_COMMITMENTS}.json"
    if not dataset.exists():
        write_import_dataset(dataset, IMPORT_COMMITMENTS)
    records = _count_records(dataset)
    seconds, peak, output = _command(url, "import_commitments", str(dataset), "--publish")
    flag = "" if seconds <= MAX_IMPORT_SECONDS and "imported" in output else "  <- over the goal"
    if flag:
        failures.append(f"dataset of {IMPORT_COMMITMENTS:,} commitments: {seconds:.1f} s")
    print(
        f"  import_commitments, dataset of {IMPORT_COMMITMENTS:,} commitments "
        f"({records:,} records, {dataset.stat().st_size / 2**20:.0f} MiB): {seconds:.1f} s, "
        f"{IMPORT_COMMITMENTS / seconds:,.0f} commitments/s, {records / seconds:,.0f} "
        f"records/s, peak {peak:.0f} MiB{flag}",
        flush=True,
    )
    if "imported" not in output:
        print(output[-2000:])

    rows = IMPORT_ROWS
    pairs = _track_for_progress(url, rows)
    progress = OUT / f"import-progress-{rows}.csv"
    _write_progress(progress, pairs)
    _dry_run(url, "import_member_progress", progress, rows, "rows", failures)
    written = min(rows, 20_000)
    part = OUT / f"import-progress-{written}.csv"
    _write_progress(part, pairs[:written])
    seconds, peak, output = _command(url, "import_member_progress", str(part))
    print(
        f"  import_member_progress, {written:,} rows written: {seconds:.1f} s, "
        f"{written / seconds:,.0f} rows/s, peak {peak:.0f} MiB",
        flush=True,
    )
    if "recorded" not in output:
        print(output[-2000:])

    csv_file = OUT / f"import-commitments-{rows}.csv"
    if not csv_file.exists():
        _write_commitments_csv(csv_file, rows)
    _dry_run(url, "import_commitments", csv_file, rows, "rows", failures)
    if os.environ.get("BENCH_IMPORT_BIG_DATASET"):
        # A dataset of that many commitments, with their histories: minutes more.
        big = OUT / f"import-dataset-{rows}.json"
        if not big.exists():
            write_import_dataset(big, rows)
        _dry_run(url, "import_commitments", big, _count_records(big), "records", failures)
    print()
    return failures


def _dry_run(url: str, command: str, path: Path, n: int, what: str, failures: list) -> None:
    seconds, peak, output = _command(url, command, str(path), "--dry-run")
    flag = "" if peak <= MAX_DRY_RUN_MB and "would" in output else "  <- over the goal"
    if flag:
        failures.append(f"{command} --dry-run of {path.name}: peak {peak:.0f} MiB")
    print(
        f"  {command} --dry-run, {path.name} ({n:,} {what}, "
        f"{path.stat().st_size / 2**20:.0f} MiB): {seconds:.1f} s, {n / seconds:,.0f} "
        f"{what}/s, peak {peak:.0f} MiB{flag}",
        flush=True,
    )
    if "would" not in output:
        print(output[-2000:])


def _count_records(path: Path) -> int:
    """Records in a dataset file as write_import_dataset() writes it: one per line."""
    with path.open("rb") as file:
        return sum(
            1 for line in file if line.startswith(b"{") and line.rstrip(b",\n").endswith(b"}")
        )


if __name__ == "__main__":
    main()
