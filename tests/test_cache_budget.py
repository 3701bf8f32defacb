"""The local cache (each worker's, without REDIS_URL) is bounded in bytes, not only in entries:
tracker.caching.BoundedLocMemCache. What it counts is what it keeps, however it is written to,
from any number of threads."""

from __future__ import annotations

import itertools
import random
import threading
import time

import pytest
from django.core.cache import caches

from tracker.caching import BoundedLocMemCache

_names = itertools.count()


@pytest.fixture
def make_cache():
    """A cache of its own (LocMemCache shares entries by name), emptied afterwards."""
    made = []

    def make(max_bytes: int, max_entries: int = 1000, **options) -> BoundedLocMemCache:
        name = f"test-budget-{next(_names)}"
        options |= {"MAX_BYTES": max_bytes, "MAX_ENTRIES": max_entries}
        made.append(BoundedLocMemCache(name, {"OPTIONS": options}))
        return made[-1]

    yield make
    for cache in made:
        cache.clear()


def _counted(cache: BoundedLocMemCache) -> int:
    """The bytes kept, counted afresh: every key and pickled value."""
    return sum(len(key) + len(value) for key, value in cache._cache.items())


def test_it_counts_the_bytes_of_every_key_and_value_it_keeps(make_cache):
    cache = make_cache(max_bytes=100_000)

    cache.set("a", "x" * 1000)
    cache.set("b", b"y" * 2000)
    cache.add("c", list(range(100)))

    assert 3000 < cache.bytes_kept == _counted(cache) < 4000


def test_a_new_entry_evicts_the_least_recently_used_until_it_fits(make_cache):
    cache = make_cache(max_bytes=1000)
    for key in "abc":
        cache.set(key, "x" * 280)
    cache.get("a")  # used again: b is now the least recently used

    cache.set("d", "x" * 280)

    assert cache.get("b") is None
    assert [cache.get(key) is not None for key in "acd"] == [True, True, True]
    assert cache.bytes_kept == _counted(cache) <= 1000


def test_one_large_entry_evicts_as_many_as_it_needs(make_cache):
    cache = make_cache(max_bytes=1000)
    for key in "abcdef":
        cache.set(key, "x" * 100)

    cache.set("large", "x" * 700)

    assert cache.get("large") is not None
    assert sum(cache.get(key) is not None for key in "abcdef") <= 2
    assert cache.bytes_kept == _counted(cache) <= 1000


def test_a_value_larger_than_the_budget_is_not_kept_nor_its_older_value(make_cache):
    cache = make_cache(max_bytes=1000)
    cache.set("a", "small")
    cache.set("b", "kept")

    cache.set("a", "x" * 2000)

    assert cache.get("a") is None  # never the stale value
    assert cache.get("b") == "kept"
    assert cache.bytes_kept == _counted(cache)


def test_replacing_deleting_expiring_and_clearing_count_the_bytes_out(make_cache):
    cache = make_cache(max_bytes=100_000)
    cache.set("a", "x" * 5000)
    cache.set("a", "x" * 10)  # replaced by a smaller value
    assert cache.bytes_kept == _counted(cache) < 200

    cache.set("b", "x" * 5000)
    cache.delete("b")
    assert cache.bytes_kept == _counted(cache) < 200

    cache.set("c", "x" * 5000, timeout=0.01)
    time.sleep(0.02)
    assert cache.get("c") is None  # expired: dropped when asked for
    assert cache.bytes_kept == _counted(cache) < 200

    cache.set("n", 1)
    cache.incr("n", 10**50)  # a longer value, written in place by LocMemCache
    assert cache.get("n") == 10**50 + 1
    assert cache.bytes_kept == _counted(cache)

    cache.clear()
    assert cache.bytes_kept == 0


@pytest.mark.parametrize("cull_frequency", [3, 0])
def test_the_entry_limit_still_applies_and_its_culls_are_counted(make_cache, cull_frequency):
    cache = make_cache(max_bytes=100_000, max_entries=10, CULL_FREQUENCY=cull_frequency)

    for n in range(25):
        cache.set(f"k{n}", "x" * 100)

    assert len(cache._cache) <= 10
    assert cache.bytes_kept == _counted(cache)


def test_it_stays_within_its_budget_and_counts_right_from_many_threads(make_cache):
    cache = make_cache(max_bytes=50_000, max_entries=200)
    errors = []

    def work(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for _ in range(2000):
                key, action = f"k{rng.randrange(300)}", rng.random()
                if action < 0.5:
                    cache.set(key, "x" * rng.randrange(10, 3000))
                elif action < 0.6:
                    cache.add(key, "y" * rng.randrange(10, 3000))
                elif action < 0.8:
                    cache.get(key)
                elif action < 0.95:
                    cache.delete(key)
                else:
                    cache.set_many({f"{key}-{i}": "z" * 500 for i in range(3)})
        except Exception as error:  # noqa: BLE001 — reported below, with the thread's seed
            errors.append((seed, error))

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert cache.bytes_kept == _counted(cache) <= 50_000


def test_the_sites_cache_is_bounded_by_the_setting(settings):
    cache = caches["default"]

    assert isinstance(cache, BoundedLocMemCache)
    assert cache._max_bytes == settings.TRACKER_CACHE_MAX_BYTES == 64 * 1024 * 1024
