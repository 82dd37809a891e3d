"""manage.py bench: SQL queries per reader page, then requests per second under gunicorn.

A thin front for the `benchmarks` package, which does the work. It prints numbers and asserts nothing
about time: the tests hold the query budgets, this command shows the speed (docs/architecture.md, "Budgets").
"""

import argparse
import os
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from benchmarks import BenchmarkError
from benchmarks import search as search_bench
from benchmarks.load import choose_tool
from benchmarks.pages import PAGES, count_queries, pick_urls
from benchmarks.report import CPU_NOTE, format_table, reference_line, setup_line
from benchmarks.server import answers, free_port, measure


class Command(BaseCommand):
    help = (
        "Benchmark the reader pages. First the SQL queries and bytes of one anonymous request to the home page, a "
        "section page, an article page, a search, the RSS feed and the API's article list (live ones picked from the "
        "database), then requests per second and p50/p99 "
        "latency for each page under gunicorn in the production shape (DEBUG off, static files collected), on "
        "127.0.0.1 only. Uses wrk when it is installed, else a load generator in Python processes (slower: its "
        "own CPU use competes with the server's, so compare numbers made with the same tool). Reference bar: "
        "Wagtail serves an article page at about 210 requests/s on this machine with 2 workers and PostgreSQL; "
        "our target is at least 3 times that (630 requests/s). The last column, gunicorn's CPU time per request, "
        "is the steadier number when other programs share the machine. Needs live articles: run "
        "`manage.py seed_demo` first on an empty database."
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
        try:
            self.bench(**options)
        except BenchmarkError as error:
            raise CommandError(str(error)) from error

    def bench_search(self, *, search_articles, search_runs, explain):
        count = search_bench.populate(search_articles, progress=self.stderr.write)
        rows = search_bench.measure(search_runs)
        self.stdout.write(search_bench.format_table(rows, articles=count, runs=search_runs))
        if explain and connection.vendor == "postgresql":
            for label, params in search_bench.cases():
                self.stdout.write(f"\n{label} {params}:\n{search_bench.explain(params)}")

    def bench(self, *, duration, connections, workers, port, pages, no_load, tool, **options):
        if options["search"]:
            return self.bench_search(
                search_articles=options["search_articles"],
                search_runs=options["search_runs"],
                explain=options["explain"],
            )
        if not no_load and port and answers(port):
            raise CommandError(f"Something already listens on 127.0.0.1:{port}; choose another --port.")
        urls = pick_urls(pages)
        if len(urls) < len(pages):
            self.stderr.write("section: skipped, no section has a live article.")
        queries, sizes = count_queries(urls)
        results = {}
        load_before = None
        if not no_load:
            tool = choose_tool(tool)
            port = port or free_port()
            # Other processes on the machine take CPU from gunicorn: say how busy it was.
            load_before = os.getloadavg()[0]
            try:
                results = measure(
                    urls,
                    tool=tool,
                    port=port,
                    workers=workers,
                    duration=duration,
                    connections=connections,
                    progress=self.stderr.write,
                )
            except KeyboardInterrupt:
                self.stderr.write("Interrupted; nothing is left running.")
                sys.exit(130)
        self.stdout.write(format_table(urls, queries, results, sizes))
        self.stdout.write(
            setup_line(
                load_run=bool(results),
                workers=workers,
                connections=connections,
                duration=duration,
                tool=tool,
                load_before=load_before,
            )
        )
        if results:
            self.stdout.write(CPU_NOTE)
        if "article" in results:
            self.stdout.write(reference_line(results["article"].rps, workers=workers, vendor=connection.vendor))


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
