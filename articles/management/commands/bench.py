"""manage.py bench: SQL queries per reader page, then requests per second under gunicorn (DESIGN §8, §10).

It prints numbers and asserts nothing about time: the tests hold the query budgets, this command shows the
speed. Models and django.test are imported inside functions so that load-generator processes can import
this module without a configured Django.
"""

import argparse
import contextlib
import math
import multiprocessing
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.client import HTTPConnection, HTTPException

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

PAGES = ("home", "section", "article")
# Wagtail serving an article page on this machine: 2 gunicorn workers, PostgreSQL.
WAGTAIL_ARTICLE_RPS = 210
TARGET_FACTOR = 3
STARTUP_TIMEOUT = 20
# A bound on any one load-generator connection, whatever the duration.
MAX_REQUESTS_PER_CONNECTION = 200_000
PRODUCTION_ENV = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_COOKIES": "0",
    "SECURE_HSTS_SECONDS": "0",
}


@dataclass
class Result:
    """One page under load. Latencies in milliseconds; errors are failed requests plus non-200 answers.

    cpu_ms is gunicorn's own CPU time per request (the database's not included): unlike requests/s it hardly
    moves when other programs on the machine take CPU, so it is the number to compare between runs.
    """

    requests: int
    rps: float
    p50: float
    p99: float
    errors: int
    cpu_ms: float | None = None


class Command(BaseCommand):
    help = (
        "Benchmark the reader pages. First the SQL queries of one anonymous request to the home page, a section "
        "page and an article page (live ones picked from the database), then requests per second and p50/p99 "
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
            help="Comma-separated subset of home,section,article (all three).",
        )
        parser.add_argument("--no-load", action="store_true", help="Only count queries; start no server.")
        parser.add_argument(
            "--tool",
            choices=["auto", "wrk", "python"],
            default="auto",
            help="Load generator: wrk if on PATH, else python (auto).",
        )

    def handle(self, *args, duration, connections, workers, port, pages, no_load, tool, **options):
        if not no_load and port and answers(port):
            raise CommandError(f"Something already listens on 127.0.0.1:{port}; choose another --port.")
        urls = pick_urls(pages)
        if len(urls) < len(pages):
            self.stderr.write("section: skipped, no section has a live article.")
        queries = count_queries(urls)
        results = {}
        if not no_load:
            tool = choose_tool(tool)
            port = port or free_port()
            # Other processes on the machine take CPU from gunicorn: say how busy it was.
            load_before = os.getloadavg()[0]
            try:
                collect_static()
                with gunicorn(port=port, workers=workers) as server:
                    for page, url in urls.items():
                        warm_up(server, url, workers)
                        self.stderr.write(f"{page}: {duration} s of load on {server.url}{url} with {tool}…")
                        cpu_before = server.cpu_seconds()
                        result = run_load(tool, port, url, duration=duration, connections=connections)
                        server.check()
                        cpu_after = server.cpu_seconds()
                        if cpu_before is not None and cpu_after is not None and result.requests:
                            result.cpu_ms = (cpu_after - cpu_before) * 1000 / result.requests
                        results[page] = result
            except KeyboardInterrupt:
                self.stderr.write("Interrupted; nothing is left running.")
                sys.exit(130)
        self.stdout.write(format_table(urls, queries, results))
        setup = (
            f"database: {connection.vendor} ({connection.settings_dict['NAME']}), "
            f"cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}, "
        )
        if results:
            setup += (
                f"gunicorn workers: {workers}, connections: {connections}, duration: {duration} s per page, "
                f"tool: {tool}, CPUs: {os.cpu_count()}, load average before: {load_before:.1f}"
            )
        else:
            setup += "load: not run (--no-load)"
        self.stdout.write(setup)
        if results:
            self.stdout.write(
                "CPU ms/req is gunicorn's own CPU time per request: compare it between runs, as req/s also "
                "depends on what else the machine is doing (the load generator included)."
            )
        if "article" in results:
            self.stdout.write(reference_line(results["article"].rps, workers=workers, vendor=connection.vendor))


def choose_tool(tool):
    if tool == "auto":
        return "wrk" if shutil.which("wrk") else "python"
    if tool == "wrk" and not shutil.which("wrk"):
        raise CommandError("wrk is not on PATH (Debian: apt-get install wrk); leave out --tool to use python.")
    return tool


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


def pick_urls(pages):
    """Addresses of live pages: the newest live article (one with a section if any) and its section."""
    from articles.models import Article, Section

    live = Article.objects.published()
    article = live.filter(section__isnull=False).first() or live.first()
    if article is None:
        raise CommandError(
            f"No live article in the database ({connection.vendor}: {connection.settings_dict['NAME']}), so there "
            "is nothing to benchmark. Run `manage.py seed_demo` first."
        )
    section = article.section or Section.objects.filter(articles__in=live).first()
    urls = {"home": "/", "article": article.get_absolute_url()}
    if section is not None:
        urls["section"] = section.get_absolute_url()
    return {page: urls[page] for page in pages if page in urls}


def request_host(allowed_hosts):
    """A host name Django accepts in-process: the first allowed one, or a local address."""
    for host in allowed_hosts:
        if host != "*":
            # ".example.com" allows example.com itself.
            return host.lstrip(".")
    # "*", or DEBUG with no ALLOWED_HOSTS, which lets local addresses through.
    return "127.0.0.1"


def count_queries(urls):
    """SQL queries run by one anonymous request to each URL, in this process."""
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME=request_host(settings.ALLOWED_HOSTS))
    counts = {}
    for page, url in urls.items():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, secure=settings.SECURE_SSL_REDIRECT)
        if response.status_code != 200:
            raise CommandError(f"{page} page {url} answered {response.status_code}, not 200, in-process.")
        counts[page] = len(captured)
    return counts


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(port):
    """Whether something accepts connections on 127.0.0.1:port."""
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def production_env():
    # DATABASE_URL, REDIS_URL, CONN_MAX_AGE… pass through; SECRET_KEY too (settings put .env into os.environ).
    return os.environ | PRODUCTION_ENV


def collect_static():
    """With DEBUG off the manifest storage needs collected files; a stale manifest would turn pages into 500s."""
    done = subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=settings.BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise CommandError(f"collectstatic failed (DEBUG=0):\n{done.stderr.strip()}")


@contextlib.contextmanager
def gunicorn(*, port, workers):
    """gunicorn as `make serve` runs it, on 127.0.0.1:port; always stopped on the way out, Ctrl-C included."""
    import importlib.util

    if importlib.util.find_spec("gunicorn") is None:
        raise CommandError(f"gunicorn is not installed for {sys.executable} (it is in requirements.txt).")
    app = settings.WSGI_APPLICATION.rpartition(".")
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        f"{app[0]}:{app[2]}",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--graceful-timeout",
        "5",
    ]
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=production_env(), stdout=log, stderr=subprocess.STDOUT
        )
        server = Server(process, port, log)
        # SIGTERM ends this command through `finally` too, so gunicorn is never left behind.
        in_main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _exit_on_sigterm) if in_main_thread else None
        try:
            server.wait_until_up()
            yield server
        finally:
            if in_main_thread:
                signal.signal(signal.SIGTERM, previous)
            server.stop()


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


@dataclass
class Server:
    """A server process listening on 127.0.0.1:port, writing its output to the file `log`."""

    process: subprocess.Popen
    port: int
    log: object

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def wait_until_up(self, timeout=STARTUP_TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check()
            try:
                get(self.port, "/", timeout=2)
            except (OSError, HTTPException):
                time.sleep(0.2)
            else:
                return
        raise CommandError(f"gunicorn did not answer on {self.url} within {timeout} s:\n{self.tail()}")

    def check(self):
        """Fail with the server's own words if it has exited."""
        if self.process.poll() is not None:
            raise CommandError(f"gunicorn exited with status {self.process.returncode}:\n{self.tail()}")

    def tail(self, lines=150):
        self.log.flush()
        self.log.seek(0)
        return "\n".join(self.log.read().splitlines()[-lines:])

    def cpu_seconds(self):
        """CPU time used so far by gunicorn and its workers, read from Linux's /proc; None elsewhere."""
        try:
            stats = {pid: _proc_stat(pid) for pid in os.listdir("/proc") if pid.isdigit()}
        except OSError:
            return None
        if not stats.get(str(self.process.pid)):
            return None
        master = self.process.pid
        # The master and its workers (its children); gunicorn's sync workers start no processes of their own.
        ticks = sum(
            int(fields[11]) + int(fields[12])  # utime, stime
            for pid, fields in stats.items()
            if fields and master in (int(pid), int(fields[1]))
        )
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _proc_stat(pid):
    """Fields of /proc/<pid>/stat after the command name (state, ppid, …), or None if it has gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()
    except OSError:
        return None


def get(port, url, timeout=10):
    """One GET to 127.0.0.1:port; returns the status."""
    conn = HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", url)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def warm_up(server, url, workers):
    """Every worker opens its database connection and loads its templates before the clock starts."""
    for _ in range(workers * 5):
        try:
            status = get(server.port, url)
        except (OSError, HTTPException) as error:
            server.check()
            raise CommandError(f"{server.url}{url}: {error}") from error
        if status != 200:
            raise CommandError(f"{url} answered {status} under gunicorn, not 200; nothing to measure.\n{server.tail()}")


def run_load(tool, port, url, *, duration, connections):
    target = f"http://127.0.0.1:{port}{url}"
    if tool == "wrk":
        threads = str(min(2, connections))
        command = ["wrk", "-t", threads, "-c", str(connections), "-d", f"{duration}s", "--latency", target]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            raise CommandError(f"wrk failed:\n{done.stderr.strip() or done.stdout.strip()}")
        return parse_wrk(done.stdout)
    return python_load(port, url, duration=duration, connections=connections)


_TIME_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text).groups()
    return float(number) * _TIME_UNITS[unit]


def parse_wrk(output):
    """Read wrk --latency output. Errors: socket errors plus non-2xx/3xx answers (wrk counts 3xx as success)."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    requests = re.search(r"^\s+(\d+) requests in", output, re.M)
    if not (rps and p50 and p99 and requests):
        raise CommandError(f"Could not read wrk's output:\n{output}")
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    errors += int(non_2xx.group(1)) if non_2xx else 0
    return Result(
        requests=int(requests.group(1)),
        rps=float(rps.group(1)),
        p50=_ms(p50.group(1)),
        p99=_ms(p99.group(1)),
        errors=errors,
    )


def percentile(ordered, p):
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summarize(latencies, errors, elapsed):
    """A Result from latencies in seconds of every request answered, the failed count and the wall time."""
    ordered = sorted(latencies)
    return Result(
        requests=len(ordered) + errors,
        rps=len(ordered) / elapsed if elapsed > 0 else 0.0,
        p50=percentile(ordered, 50) * 1000,
        p99=percentile(ordered, 99) * 1000,
        errors=errors,
    )


def python_load(port, url, *, duration, connections):
    """Without wrk: one process per connection, each sending requests one after another until time is up."""
    # The processes start together, a moment from now, so slow starters do not shorten the run.
    start_at = time.time() + 0.5
    jobs = [(port, url, start_at, duration, MAX_REQUESTS_PER_CONNECTION)] * connections
    # Ctrl-C reaches the whole process group: only this process acts on it, stopping the pool and gunicorn.
    with multiprocessing.Pool(connections, initializer=signal.signal, initargs=(signal.SIGINT, signal.SIG_IGN)) as pool:
        parts = pool.starmap(hammer, jobs)
    latencies = [latency for part in parts for latency in part[0]]
    errors = sum(part[1] for part in parts)
    elapsed = max(part[3] for part in parts) - min(part[2] for part in parts)
    # Requests that got an answer but not a 200 count as errors and are left out of requests/s.
    return summarize(latencies, errors, elapsed)


def hammer(port, url, start_at, duration, max_requests):
    """One connection's share of the load: (latencies of 200s in seconds, errors, started, ended)."""
    time.sleep(max(0.0, start_at - time.time()))
    started = time.time()
    deadline = time.perf_counter() + duration
    latencies, errors = [], 0
    conn = HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        for _ in range(max_requests):
            before = time.perf_counter()
            if before >= deadline:
                break
            try:
                conn.request("GET", url)
                response = conn.getresponse()
                response.read()
            except (OSError, HTTPException):
                errors += 1
                conn.close()
                continue
            if response.status == 200:
                latencies.append(time.perf_counter() - before)
            else:
                errors += 1
    finally:
        conn.close()
    return latencies, errors, started, time.time()


def format_table(urls, queries, results):
    rows = [("page", "URL", "queries", "req/s", "p50 ms", "p99 ms", "errors", "CPU ms/req")]
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
        rows.append((page, shorten(url), str(queries[page]), *load))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        # Page and URL read left to right; the numbers line up on the right.
        cells = [cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells))
    return "\n".join(lines)


def shorten(url, width=50):
    return url if len(url) <= width else url[: width - 1] + "…"


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
