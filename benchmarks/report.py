"""What a benchmark prints: one table row per page, the setup it ran on, and the comparison with Wagtail."""

import os

from django.conf import settings
from django.db import connection

# Wagtail serving an article page on this machine: 2 gunicorn workers, PostgreSQL.
WAGTAIL_ARTICLE_RPS = 210
TARGET_FACTOR = 3
CPU_NOTE = (
    "CPU ms/req is gunicorn's own CPU time per request: compare it between runs, as req/s also "
    "depends on what else the machine is doing (the load generator included)."
)


def format_table(urls, queries, results, sizes=None):
    rows = [("page", "URL", "queries", "bytes", "req/s", "p50 ms", "p99 ms", "errors", "CPU ms/req")]
    for page, url in urls.items():
        result = results.get(page)
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
        size = str((sizes or {}).get(page, "-"))
        rows.append((page, shorten(url), str(queries[page]), size, *load))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        # Page and URL read left to right; the numbers line up on the right.
        cells = [cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells))
    return "\n".join(lines)


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


def reference_line(rps, *, workers, vendor):
    factor = rps / WAGTAIL_ARTICLE_RPS
    verdict = "meets" if factor >= TARGET_FACTOR else "is below"
    line = (
        f"article page: {rps:.0f} req/s = {factor:.1f}× Wagtail's ~{WAGTAIL_ARTICLE_RPS} req/s; "
        f"{verdict} the target of ≥ {TARGET_FACTOR}× ({TARGET_FACTOR * WAGTAIL_ARTICLE_RPS} req/s)"
    )
    if workers != 2 or vendor != "postgresql":
        line += " (the reference was measured with 2 workers on PostgreSQL, so this is not like for like)"
    return line
