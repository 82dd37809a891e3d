"""manage.py bench and the benchmarks package: the parts that run in a moment. No load test here; time is never
asserted (docs/architecture.md, "Budgets")."""

import argparse
import math
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles.management.commands import bench
from benchmarks import BenchmarkError, load, pages, report
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


def test_reference_line_compares_with_wagtail():
    assert "3.3× Wagtail" in report.reference_line(700, workers=2, vendor="postgresql")
    assert "meets the target" in report.reference_line(700, workers=2, vendor="postgresql")
    assert "is below the target" in report.reference_line(300, workers=2, vendor="postgresql")
    assert "not like for like" in report.reference_line(700, workers=4, vendor="sqlite")


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
    rows = {line.split()[0]: line.split() for line in lines[1:7]}
    assert rows["home"][1] == "/"
    assert rows["section"][1] == section.get_absolute_url()
    assert rows["article"][1] == newest.get_absolute_url()
    assert rows["search"][1] == "/tim-kiem/?q=Tin+m%E1%BB%9Bi"
    assert rows["feed"][1] == "/rss/"
    assert rows["api"][1] == "/api/v1/articles"
    for page in ("home", "section", "article", "search", "feed", "api"):
        assert 1 <= int(rows[page][2]) <= 8  # the ceiling of every reader page (docs/architecture.md, "Budgets")
        assert int(rows[page][3]) > 500  # the bytes of a real answer, not an error page
        assert rows[page][4:] == ["-"] * 5
    assert "load: not run" in lines[7]


@pytest.mark.django_db
def test_pages_option_measures_only_those_pages():
    make_article(section=make_section())
    stdout = StringIO()

    call_command("bench", "--no-load", "--pages", "article", stdout=stdout)

    assert [line.split()[0] for line in stdout.getvalue().splitlines()[1:-1]] == ["article"]


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"ok"
        self.send_response(200 if self.path == "/ok" else 404)
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
