"""What a benchmark prints: one table row per page, the setup it ran on, and the comparison with Wagtail."""

import os
import platform
import subprocess
import sys
import time

from django.conf import settings
from django.db import connection

# Wagtail 8 beside this project on the reference machine, side by side (same content: one real article plus
# 1,000 others; gunicorn with 2 sync workers; PostgreSQL; wrk with 16 connections, alternating runs).
WAGTAIL = {"article": {"rps": 279, "queries": 8}, "home": {"rps": 182, "queries": 7}}
# The bars: uncached (PAGE_CACHE=off) at least twice Wagtail's rate, cached ten times; the article page in at
# most ARTICLE_QUERY_BUDGET queries uncached.
TARGET_FACTOR = {"off": 2, "on": 10}
ARTICLE_QUERY_BUDGET = 4
CPU_NOTE = (
    "CPU ms/req is gunicorn's own CPU time per request: compare it between runs, as req/s also "
    "depends on what else the machine is doing (the load generator included)."
)


def format_table(urls, queries, results, sizes=None):
    """One run's table: a row per page."""
    return format_runs(urls, [Run(None, queries, results, sizes or {})])


class Run:
    """One pass over the pages: the page cache `cache` ("on", "off", or None for unsaid), the queries and bytes of
    one in-process request to each, and {page: Result} of the load on each (empty with --no-load)."""

    def __init__(self, cache, queries, results, sizes):
        self.cache, self.queries, self.results, self.sizes = cache, queries, results, sizes


def format_runs(urls, runs):
    """The pages' table: a row per page and run, the page cache's state in a column when the runs say it."""
    with_cache = any(run.cache for run in runs)
    rows = [("page", "URL", "queries", "bytes", "req/s", "p50 ms", "p99 ms", "errors", "CPU ms/req")]
    if with_cache:
        rows[0] = (*rows[0][:2], "cache", *rows[0][2:])
    for page, url in urls.items():
        for run in runs:
            rows.append(_row(page, url, run, with_cache))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    left = 3 if with_cache else 2
    lines = []
    for row in rows:
        # Page and URL (and the cache's state) read left to right; the numbers line up on the right.
        cells = [cell.ljust(widths[i]) if i < left else cell.rjust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells))
    return "\n".join(lines)


def _row(page, url, run, with_cache):
    result = run.results.get(page)
    load = (
        (
            f"{result.rps:.1f}",
            f"{result.p50:.1f}",
            f"{result.p99:.1f}",
            str(result.errors),
            "-" if result.cpu_ms is None else f"{result.cpu_ms:.2f}",
        )
        if result
        else ("-",) * 5
    )
    cache = (run.cache or "-",) if with_cache else ()
    return (page, shorten(url), *cache, str(run.queries[page]), str(run.sizes.get(page, "-")), *load)


def shorten(url, width=50):
    return url if len(url) <= width else url[: width - 1] + "…"


def setup_line(*, load_run, workers=None, connections=None, duration=None, tool=None, load_before=None):
    """The database and cache measured against and, when load ran, how."""
    setup = (
        f"database: {connection.vendor} ({connection.settings_dict['NAME']}), "
        f"cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}, "
    )
    if load_run:
        return setup + (
            f"gunicorn workers: {workers}, connections: {connections}, duration: {duration} s per page, "
            f"tool: {tool}, CPUs: {os.cpu_count()}, load average before: {load_before:.1f}"
        )
    return setup + "load: not run (--no-load)"


def reference_lines(runs, *, workers, vendor):
    """The article and home pages against Wagtail's figures, for each page cache state measured."""
    lines = []
    for run in runs:
        cache = run.cache or "on"
        for page in WAGTAIL:
            result = run.results.get(page)
            if result is None:
                continue
            lines.append(reference_line(page, result.rps, cache=cache, queries=run.queries.get(page)))
    if lines:
        # The demo's pages show more than the comparison's (photos, corrections, related stories), and the
        # reference is another run's: the ratio side by side on the same content is docs/benchmarks.md's.
        lines.append(
            "(Wagtail's figures are the reference run's, side by side on its content: one article and 1,000 others "
            "imported as plain text, without the demo's photos, corrections and related stories. Pages here may "
            "show more; docs/benchmarks.md has the ratios measured side by side.)"
        )
    if lines and (workers != 2 or vendor != "postgresql"):
        lines.append("(Wagtail's figures were measured with 2 workers on PostgreSQL, so this is not like for like.)")
    return lines


def reference_line(page, rps, *, cache, queries=None):
    wagtail = WAGTAIL[page]
    factor, target = rps / wagtail["rps"], TARGET_FACTOR[cache]
    verdict = "meets" if factor >= target else "is below"
    line = (
        f"{page} page, cache {cache}: {rps:.0f} req/s = {factor:.1f}× Wagtail 8's {wagtail['rps']} req/s; "
        f"{verdict} the target of ≥ {target}× ({target * wagtail['rps']} req/s)"
    )
    if queries is not None and cache == "off":
        line += f"; {queries} queries (Wagtail: {wagtail['queries']}"
        line += f", budget ≤ {ARTICLE_QUERY_BUDGET})" if page == "article" else ")"
    return line


def machine_lines():
    """What the figures were measured on: CPU, memory, Python, the database server, the commit."""
    return [
        f"machine: {os.cpu_count()} CPUs ({cpu_model()}), {memory_gib()} RAM, {platform.system()} "
        f"{platform.release()}, load average now: {os.getloadavg()[0]:.1f}, "
        f"Python speed: {python_speed():.0f} ms CPU per million additions",
        f"python: {sys.version.split()[0]}, database: {database_version()}, commit: {commit()}",
    ]


def python_speed(additions=1_000_000):
    """CPU milliseconds this Python takes for a loop of additions: a yardstick for comparing machines, and the
    same machine when other programs share it (each core then does less per CPU second)."""
    started, total = time.process_time(), 0
    for n in range(additions):
        total += n
    return (time.process_time() - started) * 1000 * 1_000_000 / additions


def cpu_model():
    return _proc_field("/proc/cpuinfo", "model name") or platform.processor() or platform.machine()


def memory_gib():
    total = _proc_field("/proc/meminfo", "MemTotal")
    if not total or not total.split()[0].isdigit():
        return "? GiB"
    return f"{int(total.split()[0]) / 1024**2:.1f} GiB"


def _proc_field(path, name):
    try:
        with open(path) as lines:
            for line in lines:
                key, _, value = line.partition(":")
                if key.strip() == name:
                    return value.strip()
    except OSError:
        return None
    return None


def database_version():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    return connection.vendor


def commit():
    """The checkout's commit, marked when files differ from it (other work in the same tree is measured too)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"], cwd=settings.BASE_DIR, capture_output=True, text=True
        )
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
        )
    except OSError:
        return "unknown (no git)"
    if head.returncode:
        return "unknown (not a git checkout)"
    return head.stdout.strip() + (" with uncommitted changes" if changed.stdout.strip() else "")
