"""gunicorn in the production shape on 127.0.0.1, its CPU time read from Linux's /proc, and pages put under load."""

import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.client import HTTPException

from django.conf import settings

from . import BenchmarkError
from .load import get, run_load

STARTUP_TIMEOUT = 20
PRODUCTION_ENV = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SITE_URL": "http://127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_COOKIES": "0",
    "SECURE_HSTS_SECONDS": "0",
}


def measure(urls, *, tool, port, workers, duration, connections, progress, env=None):
    """Each page under load on one gunicorn: {page: Result}, with gunicorn's CPU time per request. `env` is added
    to the production shape's environment (PAGE_CACHE=off, for one)."""
    results = {}
    collect_static()
    with gunicorn(port=port, workers=workers, env=env) as server:
        for page, url in urls.items():
            warm_up(server, url, workers)
            progress(f"{page}: {duration} s of load on {server.url}{url} with {tool}…")
            cpu_before = server.cpu_seconds()
            result = run_load(tool, port, url, duration=duration, connections=connections)
            server.check()
            cpu_after = server.cpu_seconds()
            if cpu_before is not None and cpu_after is not None and result.requests:
                result.cpu_ms = (cpu_after - cpu_before) * 1000 / result.requests
            results[page] = result
    return results


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(port):
    """Whether something accepts connections on 127.0.0.1:port."""
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def production_env(extra=None):
    # DATABASE_URL, REDIS_URL, CONN_MAX_AGE… pass through; SECRET_KEY too (settings put .env into os.environ).
    return os.environ | PRODUCTION_ENV | (extra or {})


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
        raise BenchmarkError(f"collectstatic failed (DEBUG=0):\n{done.stderr.strip()}")


@contextlib.contextmanager
def gunicorn(*, port, workers, env=None):
    """gunicorn as `make serve` runs it, on 127.0.0.1:port; always stopped on the way out, Ctrl-C included.
    `env` is added to the production shape's environment."""
    if importlib.util.find_spec("gunicorn") is None:
        raise BenchmarkError(f"gunicorn is not installed for {sys.executable} (it is in requirements.txt).")
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
            command, cwd=settings.BASE_DIR, env=production_env(env), stdout=log, stderr=subprocess.STDOUT
        )
        server = Server(process, port, log)
        # SIGTERM ends the benchmark through `finally` too, so gunicorn is never left behind.
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
        raise BenchmarkError(f"gunicorn did not answer on {self.url} within {timeout} s:\n{self.tail()}")

    def check(self):
        """Fail with the server's own words if it has exited."""
        if self.process.poll() is not None:
            raise BenchmarkError(f"gunicorn exited with status {self.process.returncode}:\n{self.tail()}")

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


def warm_up(server, url, workers):
    """Every worker opens its database connection and loads its templates before the clock starts."""
    for _ in range(workers * 5):
        try:
            status = get(server.port, url)
        except (OSError, HTTPException) as error:
            server.check()
            raise BenchmarkError(f"{server.url}{url}: {error}") from error
        if status != 200:
            raise BenchmarkError(
                f"{url} answered {status} under gunicorn, not 200; nothing to measure.\n{server.tail()}"
            )
