"""manage.py bench: SQL queries per reader page, then requests per second under gunicorn.

A thin front for the `benchmarks` package, which does the work. It prints numbers and asserts nothing
about time: the tests hold the query budgets, this command shows the speed (docs/architecture.md, "Budgets").
"""

import argparse
import os
import subprocess
import sys
from urllib.parse import urlunsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from benchmarks import BenchmarkError, load_check, redis_outage
from benchmarks import search as search_bench
from benchmarks.load import choose_tool
from benchmarks.pages import PAGES, count_queries, pick_urls
from benchmarks.report import CPU_NOTE, Run, format_runs, machine_lines, reference_lines, setup_line
from benchmarks.server import answers, free_port, measure

MAX_ARTICLES = 1_000_000
MAX_LOAD_SECONDS = 600
MAX_OUTAGE_SECONDS = 60
CACHE_STATES = {"on": ("on",), "off": ("off",), "both": ("off", "on")}


class Command(BaseCommand):
    help = (
        "Benchmark the reader pages. With --articles N, first make benchmark articles until N of them exist "
        "(made once: a second run with the same N reuses them). Then the SQL queries and bytes of one anonymous "
        "request to the home page, a section page, an article page, a search, the RSS feed and the API's article "
        "list (live ones picked from the database), then requests per second, p50/p99 latency and errors for "
        "each page under gunicorn in the production shape (DEBUG off, static files collected), on 127.0.0.1 "
        "only, with the page cache off (PAGE_CACHE=off) and on. Uses wrk when it is installed, else a load "
        "generator in Python processes (slower: its own CPU use competes with the server's, so compare numbers "
        "made with the same tool). Reference: Wagtail 8 measured side by side with 2 workers on PostgreSQL, "
        "article page 279 req/s, home page 182 req/s; targets at least 2 times that uncached, 10 times cached, "
        "and at most 4 queries on the article page. The last column, gunicorn's CPU time per request, is the "
        "steadier number when other programs share the machine. --load-check, --db-outage and --redis-outage "
        "run the load and fault scripts instead. Needs live articles: run `manage.py seed_demo` first on an "
        "empty database, or give --articles."
    )

    def add_arguments(self, parser):
        parser.add_argument("--duration", type=positive_int, default=10, help="Seconds of load per page (10).")
        parser.add_argument("--connections", type=positive_int, default=8, help="Concurrent connections (8).")
        parser.add_argument("--workers", type=positive_int, default=2, help="gunicorn worker processes (2).")
        parser.add_argument("--port", type=positive_int, help="Port for gunicorn on 127.0.0.1 (default: a free one).")
        parser.add_argument(
            "--pages",
            type=page_list,
            default=PAGES,
            help="Comma-separated subset of home,section,article,search,feed,api (all six).",
        )
        parser.add_argument("--no-load", action="store_true", help="Only count queries; start no server.")
        parser.add_argument(
            "--articles",
            type=bounded_int(0, MAX_ARTICLES),
            default=0,
            help=f"First make benchmark articles (with their search entries) until this many exist, up to "
            f"{MAX_ARTICLES:,}; 0 (the default) makes none. `make bench N=100000` passes it.",
        )
        parser.add_argument(
            "--cache",
            choices=sorted(CACHE_STATES),
            default="both",
            help="The page cache in gunicorn: off (PAGE_CACHE=off), on, or both, one run each (both).",
        )
        parser.add_argument(
            "--load-check",
            action="store_true",
            help=f"Instead: the pages in turn, page cache on, {load_check.HEAVY} connections for --load-seconds "
            f"(no request may fail), then {load_check.STEADY} connections (p99 under "
            f"{load_check.P99_LIMIT_MS} ms).",
        )
        parser.add_argument(
            "--load-seconds",
            type=bounded_int(1, MAX_LOAD_SECONDS),
            default=60,
            help="Seconds of each --load-check run (60).",
        )
        parser.add_argument(
            "--db-outage",
            action="store_true",
            help="Instead: on PostgreSQL, a database of its own whose connections are ended under load, then a "
            "table locked past the statement timeout (benchmarks/db_outage.py).",
        )
        parser.add_argument(
            "--redis-outage",
            action="store_true",
            help="Instead: a Redis server of its own on a port from 8400 to 8499, stopped and started again "
            "under load with the page cache on (benchmarks/redis_outage.py).",
        )
        parser.add_argument(
            "--outage-seconds",
            type=bounded_int(1, MAX_OUTAGE_SECONDS),
            default=10,
            help="Seconds of each phase of --db-outage and --redis-outage (10).",
        )
        parser.add_argument(
            "--tool",
            choices=["auto", "wrk", "python"],
            default="auto",
            help="Load generator: wrk if on PATH, else python (auto).",
        )
        parser.add_argument(
            "--search",
            action="store_true",
            help="Benchmark search instead: make --search-articles articles (marked, made once) in the configured "
            "database, then time typical searches in-process (median and p95). Target: under 50 ms on PostgreSQL "
            "at 100,000 articles.",
        )
        parser.add_argument(
            "--search-articles", type=positive_int, default=100_000, help="Articles for --search (100000)."
        )
        parser.add_argument("--search-runs", type=positive_int, default=30, help="Timed runs per search (30).")
        parser.add_argument(
            "--explain", action="store_true", help="With --search on PostgreSQL: EXPLAIN ANALYZE of each search."
        )

    def handle(self, *args, **options):
        modes = [name for name in ("search", "load_check", "db_outage", "redis_outage") if options[name]]
        if len(modes) > 1:
            raise CommandError("Choose one of --search, --load-check, --db-outage and --redis-outage.")
        try:
            if options["articles"]:
                self.make_articles(options["articles"])
            self.bench(**options)
        except BenchmarkError as error:
            raise CommandError(str(error)) from error

    def make_articles(self, count):
        bar = ProgressBar(self.stderr, interactive=self.stderr.isatty())
        search_bench.populate(count, progress=self.stderr.write, on_batch=bar.show)
        bar.end()

    def bench_search(self, *, search_articles, search_runs, explain):
        count = search_bench.populate(search_articles, progress=self.stderr.write)
        rows = search_bench.measure(search_runs)
        self.stdout.write(search_bench.format_table(rows, articles=count, runs=search_runs))
        self.stdout.write("\n".join(machine_lines()))
        if explain and connection.vendor == "postgresql":
            for label, params in search_bench.cases():
                self.stdout.write(f"\n{label} {params}:\n{search_bench.explain(params)}")

    def bench(self, *, duration, connections, workers, port, pages, no_load, tool, cache, **options):
        if options["search"]:
            return self.bench_search(
                search_articles=options["search_articles"],
                search_runs=options["search_runs"],
                explain=options["explain"],
            )
        if options["db_outage"]:
            return self.db_outage(workers=workers, seconds=options["outage_seconds"])
        if not no_load and port and answers(port):
            raise CommandError(f"Something already listens on 127.0.0.1:{port}; choose another --port.")
        urls = pick_urls(pages)
        if len(urls) < len(pages):
            self.stderr.write("section: skipped, no section has a live article.")
        try:
            if options["load_check"]:
                return self.load_check(urls, tool=choose_tool(tool), workers=workers, seconds=options["load_seconds"])
            if options["redis_outage"]:
                return self.redis_outage(
                    urls, workers=workers, connections=connections, seconds=options["outage_seconds"]
                )
            runs = []
            load_before = None
            for state in CACHE_STATES[cache]:
                queries, sizes = count_queries(urls, page_cache=state == "on")
                results = {}
                if not no_load:
                    tool = choose_tool(tool)
                    # Other processes on the machine take CPU from gunicorn: say how busy it was.
                    load_before = os.getloadavg()[0] if load_before is None else load_before
                    results = measure(
                        urls,
                        tool=tool,
                        port=port or free_port(),
                        workers=workers,
                        duration=duration,
                        connections=connections,
                        progress=self.stderr.write,
                        env={"PAGE_CACHE": state},
                    )
                runs.append(Run(state, queries, results, sizes))
        except KeyboardInterrupt:
            self.stderr.write("Interrupted; nothing is left running.")
            sys.exit(130)
        self.stdout.write(format_runs(urls, runs))
        self.stdout.write(
            setup_line(
                load_run=not no_load,
                workers=workers,
                connections=connections,
                duration=duration,
                tool=tool,
                load_before=load_before,
            )
        )
        for line in machine_lines():
            self.stdout.write(line)
        if not no_load:
            self.stdout.write(CPU_NOTE)
        for line in reference_lines(runs, workers=workers, vendor=connection.vendor):
            self.stdout.write(line)

    def load_check(self, urls, *, tool, workers, seconds):
        checks = load_check.run(urls, tool=tool, workers=workers, seconds=seconds, progress=self.stderr.write)
        self.stdout.write(load_check.format_checks(checks, workers=workers, tool=tool, cache="on"))
        for line in machine_lines():
            self.stdout.write(line)
        if not all(check.passed for check in checks):
            raise CommandError("The load check's bars are not all met (see the table above).")

    def redis_outage(self, urls, *, workers, connections, seconds):
        passed, lines = redis_outage.run(
            urls, workers=workers, connections=connections, seconds=seconds, progress=self.stderr.write
        )
        for line in [*lines, *machine_lines()]:
            self.stdout.write(line)
        if not passed:
            raise CommandError("Redis outage: readers were not served throughout, or caching did not resume.")

    def db_outage(self, *, workers, seconds):
        """benchmarks/db_outage.py in a process of its own: it makes, migrates and drops a database of its own,
        which this process's Django, already set up on the configured one, cannot do for it."""
        if connection.vendor != "postgresql":
            raise CommandError("--db-outage needs PostgreSQL: set DATABASE_URL=postgres://…@127.0.0.1/…")
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.db_outage",
                "--seconds",
                str(seconds),
                "--workers",
                str(workers),
                "--server",
                maintenance_url(connection.settings_dict),
            ],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=False,
        )
        self.stderr.write(done.stderr.rstrip())
        self.stdout.write(done.stdout.rstrip())
        if done.returncode:
            raise CommandError("Database outage: an answer other than 200 or the designed 503 (see above).")


class ProgressBar:
    """A bar on one line, redrawn after each batch on a terminal; a line per tenth of the way into a file."""

    WIDTH = 30

    def __init__(self, stream, *, interactive):
        self.stream, self.interactive, self.shown_tenths, self.drawn = stream, interactive, -1, False

    def show(self, done, total, rate):
        if not self.interactive:
            tenths = done * 10 // total
            if tenths == self.shown_tenths:
                return
            self.shown_tenths = tenths
        self.stream.write(("\r" if self.interactive else "") + progress_line(done, total, rate), ending="")
        if not self.interactive:
            self.stream.write("")
        self.drawn = True

    def end(self):
        if self.interactive and self.drawn:
            self.stream.write("")


def progress_line(done, total, rate, width=ProgressBar.WIDTH):
    filled = width * done // total
    left = (total - done) / rate if rate > 0 else 0
    return f"[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} articles, {rate:,.0f}/s, {left:.0f} s left"


def maintenance_url(settings_dict):
    """The PostgreSQL server of the configured database, as a URL to its `postgres` database; loopback only."""
    host = settings_dict.get("HOST") or "127.0.0.1"
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise CommandError(f"--db-outage runs on this machine only; the database is on {host}.")
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return urlunsplit(("postgres", f"{user}{password}@{host}{port}", "/postgres", "", ""))


def bounded_int(low, high):
    def parse(value):
        if not value.isascii() or not value.isdigit() or not low <= int(value) <= high:
            raise argparse.ArgumentTypeError(f"expected a whole number from {low} to {high:,}, got {value!r}")
        return int(value)

    return parse


def positive_int(value):
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number above 0, got {value!r}")
    return int(value)


def page_list(value):
    pages = [page.strip() for page in value.split(",") if page.strip()]
    unknown = sorted(set(pages) - set(PAGES))
    if unknown or not pages:
        raise argparse.ArgumentTypeError(f"expected a subset of {','.join(PAGES)}, got {value!r}")
    return tuple(page for page in PAGES if page in pages)
