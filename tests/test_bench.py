"""manage.py bench and the benchmarks package: the parts that run in a moment. No load test here; time is never
asserted (docs/architecture.md, "Budgets")."""

import argparse
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.core.management.base import OutputWrapper
from django.utils import timezone

from articles import pages as article_pages
from articles.management.commands import bench
from articles.models import Article, ArticleSearch, Tag
from benchmarks import BenchmarkError, db_outage, faults, load, load_check, pages, redis_outage, report
from benchmarks.server import Server, free_port, warm_up
from tests.factories import make_article, make_author, make_organization, make_photo, make_section, make_tag

WRK_OUTPUT = """\
Running 10s test @ http://127.0.0.1:40123/bai-viet/de-an/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    11.52ms    3.10ms  48.02ms   85.12%
    Req/Sec   348.55     31.20   420.00     70.50%
  Latency Distribution
     50%  870.00us
     75%   12.40ms
     90%   14.90ms
     99%    1.25s
  6943 requests in 10.01s, 63.91MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:    693.61
Transfer/sec:      6.38MB
"""


def test_parse_wrk_reads_rate_percentiles_in_ms_and_errors():
    result = load.parse_wrk(WRK_OUTPUT)

    assert result == load.Result(requests=6943, rps=693.61, p50=0.87, p99=1250.0, errors=7)


def test_parse_wrk_without_error_lines_counts_none():
    clean = "\n".join(line for line in WRK_OUTPUT.splitlines() if "errors" not in line and "Non-2xx" not in line)

    assert load.parse_wrk(clean).errors == 0


def test_parse_wrk_refuses_output_it_cannot_read():
    with pytest.raises(BenchmarkError, match="Could not read wrk"):
        load.parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_summarize_gives_rate_nearest_rank_percentiles_and_errors():
    latencies = [n / 1000 for n in range(100, 0, -1)]  # 1 ms … 100 ms, unordered

    result = load.summarize(latencies, errors=3, elapsed=2.0)

    assert result == load.Result(requests=103, rps=50.0, p50=50.0, p99=99.0, errors=3)


def test_summarize_with_no_answer_at_all():
    result = load.summarize([], errors=5, elapsed=1.0)

    assert (result.requests, result.rps, result.errors) == (5, 0.0, 5)
    assert math.isnan(result.p50)
    assert math.isnan(result.p99)


@pytest.mark.parametrize(
    ("allowed", "host"),
    [
        ([], "127.0.0.1"),
        (["*"], "127.0.0.1"),
        ([".baohaiphong.vn", "localhost"], "baohaiphong.vn"),
        (["localhost", "testserver"], "localhost"),
    ],
)
def test_request_host_is_one_django_accepts(allowed, host):
    assert pages.request_host(allowed) == host


def test_pages_option_keeps_the_page_order_and_refuses_others():
    assert bench.page_list("article, home") == ("home", "article")
    with pytest.raises(argparse.ArgumentTypeError):
        bench.page_list("home,admin")
    with pytest.raises(argparse.ArgumentTypeError):
        bench.positive_int("0")


def test_table_lines_up_and_marks_pages_not_loaded():
    urls = {"home": "/", "article": "/bai-viet/" + "a" * 80 + "/"}
    results = {"home": load.Result(requests=900, rps=1234.56, p50=5.04, p99=20.0, errors=0, cpu_ms=1.234)}

    lines = report.format_table(urls, {"home": 5, "article": 6}, results, {"home": 31_000}).splitlines()

    header = ["page", "URL", "queries", "bytes", "req/s", "p50", "ms", "p99", "ms", "errors", "CPU", "ms/req"]
    assert lines[0].split() == header
    assert lines[1].split() == ["home", "/", "5", "31000", "1234.6", "5.0", "20.0", "0", "1.23"]
    assert lines[2].split()[2:] == ["6", "-", "-", "-", "-", "-", "-"]
    assert "…" in lines[2]
    assert len({len(line) for line in lines}) == 1


def test_reference_line_compares_with_wagtail_side_by_side_figures():
    line = report.reference_line("article", 700, cache="off", queries=4)
    assert "700 req/s = 2.5× Wagtail 8's 279 req/s" in line
    assert "meets the target of ≥ 2× (558 req/s)" in line
    assert "4 queries (Wagtail: 8, budget ≤ 4)" in line
    assert "is below the target of ≥ 10× (2790 req/s)" in report.reference_line("article", 700, cache="on")
    assert "meets the target of ≥ 10× (1820 req/s)" in report.reference_line("home", 1900, cache="on")
    assert "is below the target of ≥ 2× (364 req/s)" in report.reference_line("home", 300, cache="off", queries=3)


def test_reference_lines_cover_article_and_home_for_each_cache_state():
    def result(rps):
        return load.Result(requests=1, rps=rps, p50=1.0, p99=2.0, errors=0)

    runs = [
        report.Run("off", {"home": 3, "article": 6}, {"home": result(400), "article": result(500)}, {}),
        report.Run("on", {"home": 1, "article": 1}, {"home": result(2000), "article": result(3000)}, {}),
    ]

    lines = report.reference_lines(runs, workers=2, vendor="postgresql")

    assert [line.split(",")[0] for line in lines[:4]] == [
        "article page",
        "home page",
        "article page",
        "home page",
    ]
    assert "side by side on its content" in lines[4] and len(lines) == 5
    assert "cache off: 500 req/s" in lines[0] and "6 queries" in lines[0]
    assert "cache on: 3000 req/s" in lines[2] and "queries" not in lines[2]
    assert "not like for like" in report.reference_lines(runs, workers=4, vendor="sqlite")[-1]
    assert report.reference_lines([report.Run("off", {"home": 3}, {}, {})], workers=2, vendor="sqlite") == []


def test_the_table_with_cache_on_and_off_has_a_row_per_page_and_state():
    urls = {"home": "/", "article": "/bai-viet/a/"}
    off = report.Run(
        "off",
        {"home": 5, "article": 6},
        {"home": load.Result(requests=900, rps=450.0, p50=10.0, p99=30.0, errors=0, cpu_ms=4.0)},
        {"home": 32_000, "article": 23_000},
    )
    on = report.Run(
        "on",
        {"home": 1, "article": 1},
        {"home": load.Result(requests=9000, rps=4500.0, p50=1.0, p99=3.0, errors=2, cpu_ms=0.4)},
        {"home": 32_000, "article": 23_000},
    )

    lines = report.format_runs(urls, [off, on]).splitlines()

    assert lines[0].split()[:5] == ["page", "URL", "cache", "queries", "bytes"]
    assert [line.split()[:5] for line in lines[1:]] == [
        ["home", "/", "off", "5", "32000"],
        ["home", "/", "on", "1", "32000"],
        ["article", "/bai-viet/a/", "off", "6", "23000"],
        ["article", "/bai-viet/a/", "on", "1", "23000"],
    ]
    assert lines[2].split()[5:] == ["4500.0", "1.0", "3.0", "2", "0.40"]
    assert lines[3].split()[5:] == ["-"] * 5
    assert len({len(line) for line in lines}) == 1


@pytest.mark.django_db  # PostgreSQL's version is asked of the server
def test_machine_lines_say_cpu_memory_python_database_and_commit():
    lines = report.machine_lines()

    assert lines[0].startswith(f"machine: {os.cpu_count()} CPUs (")
    assert "GiB RAM" in lines[0]
    assert "ms CPU per million additions" in lines[0]
    assert f"python: {sys.version.split()[0]}" in lines[1]
    assert "database: SQLite" in lines[1] or "database: PostgreSQL" in lines[1]
    assert "commit: " in lines[1] and "unknown" not in lines[1]


@pytest.mark.django_db
def test_no_live_article_tells_to_seed_the_demo():
    make_article(live=False, title="Bản nháp")

    with pytest.raises(CommandError, match="seed_demo"):
        call_command("bench", "--no-load")


@pytest.mark.django_db
def test_no_load_counts_the_queries_and_bytes_of_every_surface_within_budget():
    section = make_section(name="Thời sự")
    for n in range(6):
        make_article(
            section=section,
            authors=[make_author(), make_author()],
            organizations=[make_organization()],
            tags=[make_tag()],
            featured_photo=make_photo() if n % 2 else None,
        )
    newest = make_article(
        section=section, title="Tin mới nhất", tags=[make_tag()], publish_at=timezone.now() - timedelta(minutes=1)
    )
    stdout = StringIO()

    call_command("bench", "--no-load", stdout=stdout)

    lines = stdout.getvalue().splitlines()
    rows = {(line.split()[0], line.split()[2]): line.split() for line in lines[1:13]}
    assert len(rows) == 12
    rows, cached = {page: row for (page, cache), row in rows.items() if cache == "off"}, rows
    assert rows["home"][1] == "/"
    assert rows["section"][1] == section.get_absolute_url()
    assert rows["article"][1] == newest.get_absolute_url()
    assert rows["search"][1] == "/tim-kiem/?q=Tin+m%E1%BB%9Bi"
    assert rows["feed"][1] == "/rss/"
    assert rows["api"][1] == "/api/v1/articles"
    from newsroom import pagecache

    hit_queries = "1" if isinstance(pagecache.generation_store(), pagecache.DatabaseGeneration) else "0"
    for page in ("home", "section", "article", "search", "feed", "api"):
        assert 1 <= int(rows[page][3]) <= 8  # the ceiling of every reader page (docs/architecture.md, "Budgets")
        assert int(rows[page][4]) > 500  # the bytes of a real answer, not an error page
        assert rows[page][5:] == ["-"] * 5
        # A page served from the cache costs the generation's read alone (a Redis GET, no query, with Redis),
        # and is the same page.
        assert cached[(page, "on")][3] == hit_queries
        assert cached[(page, "on")][4] == rows[page][4]
    assert "load: not run" in lines[13]
    assert lines[14].startswith("machine: ")


@pytest.mark.django_db
def test_pages_option_measures_only_those_pages():
    make_article(section=make_section())
    stdout = StringIO()

    call_command("bench", "--no-load", "--pages", "article", "--cache", "off", stdout=stdout)

    lines = stdout.getvalue().splitlines()
    assert [line.split()[0] for line in lines[1:-3]] == ["article"]
    assert lines[1].split()[2] == "off"


_slow_arrived, _slow_release = threading.Event(), threading.Event()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/slow":
            _slow_arrived.set()
            _slow_release.wait(timeout=30)
        body = b"ok"
        self.send_response(200 if self.path in ("/ok", "/hit", "/slow") else 404)
        if self.path == "/hit":
            self.send_header("X-Cache", "HIT")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_port():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_load_generator_times_200s_and_counts_other_answers_as_errors(http_port):
    latencies, errors, started, ended = load.hammer(http_port, "/ok", time.time(), 5, 3)
    assert (len(latencies), errors) == (3, 0)
    assert all(latency > 0 for latency in latencies)
    assert ended >= started

    latencies, errors, *_ = load.hammer(http_port, "/gone", time.time(), 5, 3)
    assert (latencies, errors) == ([], 3)


def test_the_load_generator_imports_without_django():
    """Its processes may start without a configured Django, so benchmarks.load must not need one."""
    code = "import sys, benchmarks.load; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}

    done = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True, env=env, check=True
    )

    assert done.stdout.strip() == "[]"


def test_the_python_load_lets_its_processes_end_by_themselves(http_port, tmp_path):
    """Its processes inherit bench's SIGTERM handler: one that Pool.terminate() signals can hang the run."""
    marks = tmp_path / "signalled"
    code = f"""
import os, signal
from benchmarks.load import python_load

def mark(signum, frame):
    with open({str(marks)!r}, "a") as file:
        file.write("SIGTERM ")
    os._exit(1)

signal.signal(signal.SIGTERM, mark)
result = python_load({http_port}, "/ok", duration=0.2, connections=4)
print(result.errors, result.requests > 0)
"""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True, check=True, timeout=60
    )

    assert done.stdout.split() == ["0", "True"]
    assert not marks.exists(), marks.read_text()


def test_a_port_in_use_is_refused_before_starting_anything(http_port):
    with pytest.raises(CommandError, match=f"already listens on 127.0.0.1:{http_port}"):
        call_command("bench", "--port", str(http_port), "--pages", "home")


def test_load_generator_counts_refused_connections_as_errors():
    latencies, errors, *_ = load.hammer(free_port(), "/", time.time(), 5, 2)

    assert (latencies, errors) == ([], 2)


def test_a_server_that_dies_at_start_fails_with_its_output():
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", "import sys; print('Worker failed to boot.'); sys.exit(3)"], stdout=log
        )
        process.wait()
        server = Server(process, free_port(), log)

        with pytest.raises(BenchmarkError, match="(?s)exited with status 3.*Worker failed to boot"):
            server.wait_until_up()


def test_warm_up_refuses_a_page_that_is_not_200(http_port):
    with tempfile.TemporaryFile("w+") as log:
        server = Server(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]), http_port, log)
        try:
            server.wait_until_up(timeout=5)
            warm_up(server, "/ok", workers=1)
            with pytest.raises(BenchmarkError, match="answered 404"):
                warm_up(server, "/gone", workers=1)
        finally:
            server.stop()

        assert server.process.poll() is not None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_cpu_seconds_adds_up_a_server_and_its_children():
    code = "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'while True: pass']); time.sleep(60)"
    with tempfile.TemporaryFile("w+") as log:
        server = Server(subprocess.Popen([sys.executable, "-c", code], start_new_session=True), 0, log)
        try:
            time.sleep(0.5)
            assert server.cpu_seconds() > 0.05  # the busy child's time, not only its idle parent's
        finally:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait()


# make bench N=…: the articles ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "-5", "1.5", "1000001", "١٢", ""])
def test_a_bad_number_of_articles_is_refused_with_a_clear_message(value):
    with pytest.raises(CommandError, match=r"--articles: expected a whole number from 0 to 1,000,000, got"):
        call_command("bench", "--articles", value, "--no-load")


@pytest.mark.parametrize(
    ("option", "value"), [("--load-seconds", "0"), ("--load-seconds", "601"), ("--outage-seconds", "61")]
)
def test_load_and_outage_lengths_are_bounded(option, value):
    with pytest.raises(CommandError, match=f"{option}: expected a whole number from 1 to"):
        call_command("bench", option, value)


def test_one_load_or_fault_script_at_a_time():
    with pytest.raises(CommandError, match="Choose one of --search, --load-check, --db-outage and --redis-outage"):
        call_command("bench", "--load-check", "--redis-outage")


def test_make_bench_passes_n_through_as_articles():
    done = subprocess.run(
        ["make", "-n", "bench", "N=1234", "BENCH_ARGS=--no-load"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )

    assert "bench --articles 1234 --no-load" in done.stdout


@pytest.mark.django_db
def test_articles_makes_exactly_n_with_search_entries_and_a_second_run_reuses_them():
    err = StringIO()

    call_command("bench", "--articles", "50", "--no-load", "--pages", "home", stdout=StringIO(), stderr=err)

    made = Article.objects.filter(slug__startswith="bench-search-")
    assert made.count() == 50
    assert ArticleSearch.objects.filter(article__in=made).count() == 50
    # Each with its stored page, as a save would have drawn it.
    assert not made.filter(page_body="").exists()
    assert all(article.page_data["sig"] == article_pages.signature(article.body, article.page_body) for article in made)
    assert "[##############################] 50/50 articles" in err.getvalue()
    assert Article.objects.published().filter(slug__startswith="bench-search-").exists()

    call_command("bench", "--articles", "50", "--no-load", "--pages", "home", stdout=StringIO(), stderr=err)

    assert made.count() == 50
    assert "50 benchmark articles already in the database." in err.getvalue()


@pytest.mark.django_db
def test_benchmark_articles_carry_tags_and_organisations_as_a_newsroom_spreads_them(django_assert_num_queries):
    """The demo's tag and organisation, found by name, on about their share of the articles; each link in the
    search entry and the stored page, as a save would have put it."""
    from benchmarks.search import ORGANIZATION_SHARES, TAG_SHARES

    demo_tag = make_tag(name=TAG_SHARES[0][0])

    call_command("bench", "--articles", "400", "--no-load", "--pages", "home", stdout=StringIO(), stderr=StringIO())

    made = Article.objects.filter(slug__startswith="bench-search-")
    tagged = made.filter(tags=demo_tag)
    assert Tag.objects.filter(name=TAG_SHARES[0][0]).count() == 1  # the demo's, not a second one
    assert 40 <= tagged.count() <= 130  # 20 % of 400 is 80
    assert 0 < made.filter(organizations__isnull=False).distinct().count() < 120
    assert made.filter(tags__isnull=True, organizations__isnull=True).exists()
    one = tagged.first()
    assert " nguon nhan luc " in one.search_entry.rest
    # A phrase no random text makes: the organisation's name, in the entries of its articles and only there.
    city = " uy ban nhan dan thanh pho hai phong "
    with_city = made.filter(organizations__name=ORGANIZATION_SHARES[0][0])
    assert with_city.exists() and all(
        city in entry.rest for entry in ArticleSearch.objects.filter(article__in=with_city)
    )
    assert not ArticleSearch.objects.filter(article__in=made.exclude(pk__in=with_city), rest__contains=city).exists()
    # The stored page holds the link: shown() puts it where a prefetch would, with no query.
    article_pages.shown(one)
    with django_assert_num_queries(0):
        assert demo_tag.name in [tag.name for tag in one.tags.all()]


def test_the_progress_bar_redraws_one_line_on_a_terminal():
    stream = StringIO()
    bar = bench.ProgressBar(OutputWrapper(stream), interactive=True)

    bar.show(2_000, 10_000, 1_000.0)
    bar.show(10_000, 10_000, 1_250.0)
    bar.end()

    assert stream.getvalue() == (
        "\r[######........................] 2,000/10,000 articles, 1,000/s, 8 s left"
        "\r[##############################] 10,000/10,000 articles, 1,250/s, 0 s left\n"
    )


def test_the_progress_bar_writes_a_line_per_tenth_into_a_file():
    stream = StringIO()
    bar = bench.ProgressBar(OutputWrapper(stream), interactive=False)

    for done in range(2_000, 100_001, 2_000):
        bar.show(done, 100_000, 500.0)
    bar.end()

    lines = stream.getvalue().splitlines()
    assert len(lines) == 11  # the first batch, then one at each tenth
    assert lines[0].startswith("[..............................] 2,000/100,000 articles, 500/s, 196 s left")
    assert lines[1].startswith("[###...........................] 10,000/100,000 articles")
    assert lines[-1].startswith("[##############################] 100,000/100,000 articles")


# The load check and the mixed load ---------------------------------------------------------------------------


def test_the_wrk_script_sends_the_paths_in_turn_with_quotes_escaped():
    script = load.wrk_rotation(["/", '/tim-kiem/?q="x"'])

    assert 'local paths = {"/", "/tim-kiem/?q=\\"x\\""}' in script
    assert "n = n % #paths + 1" in script


def test_the_python_load_asks_for_the_paths_in_turn(http_port):
    latencies, errors, *_ = load.hammer(http_port, ["/ok", "/gone"], time.time(), 5, 4)

    assert (len(latencies), errors) == (2, 2)


def _result(errors=0, p99=10.0):
    return load.Result(requests=1000, rps=100.0, p50=5.0, p99=p99, errors=errors)


def test_the_load_check_bars():
    assert load_check.Check(64, 60, _result(errors=0, p99=900.0)).passed  # 64 connections: errors only
    assert not load_check.Check(64, 60, _result(errors=1)).passed
    assert load_check.Check(32, 60, _result(p99=49.9)).passed
    assert not load_check.Check(32, 60, _result(p99=50.0)).passed
    assert not load_check.Check(32, 60, _result(errors=3, p99=1.0)).passed


def test_the_load_check_table_says_each_bar_met_or_not():
    checks = [load_check.Check(64, 60, _result(errors=2)), load_check.Check(32, 60, _result(p99=12.5))]

    lines = load_check.format_checks(checks, workers=2, tool="wrk", cache="on").splitlines()

    assert "page cache on" in lines[0]
    assert lines[2].split()[:7] == ["64", "60", "1000", "100.0", "5.0", "10.0", "2"]
    assert lines[2].endswith("0 errors: NOT MET")
    assert lines[3].endswith("0 errors, p99 < 50 ms: met")


# The fault scripts ----------------------------------------------------------------------------------------------


def _wait_for(condition):
    """Poll until `condition()` holds; a bound, not a timing assertion."""
    for _ in range(500):
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError("the condition never held")


def test_phased_clients_count_answers_and_marks_by_the_phase_they_started_in(http_port):
    clients = faults.PhasedClients(
        http_port, ["/ok", "/gone", "/hit"], 3, mark=lambda status, headers, body: headers.get("X-Cache")
    )
    clients.start("first")
    try:
        _wait_for(lambda: sum(clients.outcomes["first"].values()) >= 6)
        clients.enter("second")
        _wait_for(lambda: sum(clients.outcomes["second"].values()) >= 6)
    finally:
        clients.stop()

    for phase in ("first", "second"):
        assert set(clients.outcomes[phase]) == {"200", "404"}
        assert set(clients.marks[phase]) == {"HIT"}
    assert faults.failures(clients.outcomes) == sum(seen["404"] for seen in clients.outcomes.values())
    table = faults.phase_table(["first", "second", "third"], clients).splitlines()
    assert table[0].split() == ["phase", "requests", "slowest", "answers"]
    assert table[1].startswith("first") and "200: " in table[1] and "; HIT: " in table[1]
    assert table[3].split() == ["third", "0", "0", "ms"]
    assert table[4].startswith("between")
    assert list(clients.tail["second"])[-1] in ("200", "404")


def test_a_request_that_outlives_its_phase_is_counted_between_phases(http_port):
    _slow_arrived.clear()
    _slow_release.clear()
    clients = faults.PhasedClients(http_port, ["/slow"], 1)
    clients.start("before")
    try:
        assert _slow_arrived.wait(timeout=30)
        clients.enter("after")
        _slow_release.set()
        _wait_for(lambda: clients.outcomes[faults.BETWEEN])
    finally:
        _slow_release.set()
        clients.stop()

    assert clients.outcomes[faults.BETWEEN] == Counter({"200": 1})
    assert not clients.outcomes["before"]


def test_phased_clients_count_refused_connections_by_name():
    clients = faults.PhasedClients(free_port(), ["/"], 1)
    clients.start("down")
    try:
        _wait_for(lambda: clients.outcomes["down"])
    finally:
        clients.stop()

    assert set(clients.outcomes["down"]) == {"ConnectionRefusedError"}
    assert faults.failures(clients.outcomes) > 0


def _clients(outcomes, marks=None, tail=None):
    return SimpleNamespace(
        outcomes=defaultdict(Counter, {k: Counter(v) for k, v in outcomes.items()}),
        marks=defaultdict(Counter, {k: Counter(v) for k, v in (marks or {}).items()}),
        tail=defaultdict(list, tail or {}),
        TAIL=20,
    )


def test_redis_outage_passes_when_readers_are_served_throughout_and_hits_come_back():
    clients = _clients(
        {"before": {"200": 900}, "redis down": {"200": 300}, "redis back": {"200": 900}},
        {
            "before": {"X-Cache HIT": 890, "X-Cache MISS": 10},
            "redis down": {"no X-Cache": 300},
            "redis back": {"X-Cache HIT": 880, "X-Cache MISS": 20},
        },
    )

    passed, lines = redis_outage.verdict(clients)

    assert passed
    assert lines[0] == "hit rate: before 99%, redis down -, redis back 98%"


@pytest.mark.parametrize(
    ("outcomes", "marks"),
    [
        # a 500 while Redis was down
        ({"redis down": {"200": 10, "500": 1}}, {"redis back": {"X-Cache HIT": 9, "X-Cache MISS": 1}}),
        # caching never came back
        ({"redis back": {"200": 10}}, {"redis back": {"X-Cache MISS": 10}}),
        # a page served from a store that was not there
        ({"redis down": {"200": 10}}, {"redis down": {"X-Cache HIT": 1}, "redis back": {"X-Cache HIT": 9}}),
    ],
)
def test_redis_outage_fails_on_a_500_a_hit_while_down_or_no_hits_after(outcomes, marks):
    assert not redis_outage.verdict(_clients(outcomes, marks))[0]


def test_redis_outage_marks_answers_by_their_x_cache_header():
    assert redis_outage.x_cache(200, {"X-Cache": "HIT"}, b"") == "X-Cache HIT"
    assert redis_outage.x_cache(200, {}, b"") == "no X-Cache"
    assert redis_outage.hit_rate({"X-Cache HIT": 3, "X-Cache MISS": 1, "no X-Cache": 50}) == 0.75
    assert redis_outage.hit_rate({"no X-Cache": 5}) is None


def test_a_redis_port_is_one_nothing_listens_on_and_within_the_range():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(BenchmarkError, match=f"No free port on 127.0.0.1 from {port} to {port}"):
            redis_outage.free_port_between(port, port)


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")
def test_the_benchmarks_redis_starts_answers_and_stops_on_its_own_port(tmp_path):
    server = redis_outage.RedisServer(redis_outage.free_port_between(*redis_outage.REDIS_PORTS), str(tmp_path))
    assert 8400 <= server.port <= 8499
    assert server.url == f"redis://127.0.0.1:{server.port}/14"
    server.start()
    try:
        assert server.ping()
    finally:
        server.stop()
    assert not server.ping()
    assert not list(tmp_path.glob("*.rdb"))  # nothing saved


def test_db_outage_tells_the_designed_503_from_any_other():
    title = db_outage.designed_title()
    mark = db_outage.mark_503(title)

    assert title == "Tạm thời gián đoạn"
    designed = (settings.BASE_DIR / "templates" / "503.html").read_bytes()
    assert mark(503, {}, designed) == "503 designed"
    assert mark(503, {}, b"<h1>Server Error</h1>Traceback (most recent call last)") == "503 NOT the designed page"
    assert mark(200, {}, b"ok") is None


TIMEOUTS = {"OperationalError: canceling statement due to statement timeout": 8}


def _outage(tail=None, **phases):
    outcomes = {"before": {"200": 100}, "outage": {"503": 40, "200": 10}, "after": {"503": 4, "200": 100}}
    outcomes |= {"slow query": {"503": 8}, "recovered": {"200": 100}} | phases
    tail = {"after": ["200"] * 20, "recovered": ["200"] * 20} | (tail or {})
    return _clients(outcomes, {"outage": {"503 designed": 40}, "slow query": {"503 designed": 8}}, tail)


def test_db_outage_passes_on_200s_and_designed_503s_recovered_and_the_slow_query_cut():
    passed, lines = db_outage.verdict(_outage(), TIMEOUTS)

    assert passed
    assert "recovered without a restart: yes" in lines[2]
    assert "slow queries cut by the statement timeout into a 503: 8" in lines[-1]


@pytest.mark.parametrize(
    ("tail", "phases"),
    [
        (None, {"outage": {"500": 1, "503": 10}}),  # a stack trace instead of the 503
        ({"after": ["200"] * 19 + ["503"]}, {}),  # still failing at the end of the phase: no recovery
        ({"recovered": []}, {}),  # nothing answered after the lock went
        (None, {"outage": {"RemoteDisconnected": 1}}),  # a dropped connection
    ],
)
def test_db_outage_fails_otherwise(tail, phases):
    assert not db_outage.verdict(_outage(tail, **phases), TIMEOUTS)[0]


def test_db_outage_fails_when_no_query_was_cut_by_the_statement_timeout():
    closed = {"OperationalError: server closed the connection unexpectedly": 30}

    passed, lines = db_outage.verdict(_outage(), closed)

    assert not passed
    assert "slow queries cut by the statement timeout into a 503: 0" in lines[-1]


def test_db_outage_refuses_a_server_off_this_machine():
    with pytest.raises(SystemExit):
        db_outage.main(["--server", "postgres://postgres@db.example.com:5432/postgres"])


@pytest.mark.parametrize(
    ("settings_dict", "url"),
    [
        ({"HOST": "", "USER": "", "NAME": "x"}, "postgres://postgres@127.0.0.1/postgres"),
        (
            {"HOST": "127.0.0.1", "PORT": 5432, "USER": "news", "PASSWORD": "pw"},
            "postgres://news:pw@127.0.0.1:5432/postgres",
        ),
    ],
)
def test_the_db_outage_runs_on_the_configured_server(settings_dict, url):
    assert bench.maintenance_url(settings_dict) == url


def test_the_db_outage_refuses_a_database_off_this_machine():
    with pytest.raises(CommandError, match="on this machine only"):
        bench.maintenance_url({"HOST": "db.example.com"})


@pytest.mark.django_db
def test_the_article_measured_is_a_real_story_rather_than_a_newer_benchmark_one():
    section = make_section()
    real = make_article(section=section, title="Cầu Rào mới", publish_at=timezone.now() - timedelta(days=2))
    make_article(section=section, slug="bench-search-7", publish_at=timezone.now() - timedelta(minutes=1))

    urls = pages.pick_urls(("article", "search"))

    assert urls["article"] == real.get_absolute_url()
    assert urls["search"] == "/tim-kiem/?q=C%E1%BA%A7u+R%C3%A0o"
