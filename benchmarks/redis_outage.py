"""Redis stops under load and starts again: readers are still served, and caching resumes by itself.

`manage.py bench --redis-outage` runs it, on 127.0.0.1 only and bounded in time: a Redis server of its own on a
free port between REDIS_PORTS' ends (no saving, no append-only file), gunicorn in the production shape with
REDIS_URL pointing at it and the page cache on, and clients asking for the reader pages in turn. Three phases
of the same length: Redis up; Redis shut down (`SHUTDOWN NOSAVE`); Redis started again on the same port, empty.
Each answer is counted by the phase its request started in, with its X-Cache header. Only the Redis server
started here is ever stopped.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time

from . import BenchmarkError
from .faults import PhasedClients, failures, phase_table

PHASES = ("before", "redis down", "redis back")
REDIS_PORTS = (8400, 8499)
REDIS_DB = 14
STARTUP_TIMEOUT = 10


def free_port_between(low, high):
    """The first port from low to high that nothing listens on and this process can bind on 127.0.0.1."""
    for port in range(low, high + 1):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise BenchmarkError(f"No free port on 127.0.0.1 from {low} to {high} for a Redis server of the benchmark's own.")


class RedisServer:
    """redis-server on 127.0.0.1:port, daemonised, keeping nothing on disk; stopped by its own pid file."""

    def __init__(self, port, directory):
        self.port, self.directory = port, directory
        self.pidfile = os.path.join(directory, f"redis-{port}.pid")

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/{REDIS_DB}"

    def start(self):
        command = [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "yes",
            "--dir",
            self.directory,
            "--pidfile",
            self.pidfile,
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            raise BenchmarkError(f"redis-server did not start:\n{done.stderr.strip() or done.stdout.strip()}")
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.ping():
                return
            time.sleep(0.05)
        raise BenchmarkError(f"redis-server did not answer on 127.0.0.1:{self.port} within {STARTUP_TIMEOUT} s.")

    def ping(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        """SHUTDOWN NOSAVE, then wait until the port is closed; SIGTERM to its pid if it did not go."""
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
            sock.sendall(b"SHUTDOWN NOSAVE\r\n")
            sock.recv(16)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while self.ping() and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.ping():
            with contextlib.suppress(OSError, ValueError), open(self.pidfile) as pidfile:
                os.kill(int(pidfile.read().strip()), 15)


def x_cache(status, headers, body):
    """The mark of an answer: its X-Cache header, or that it had none."""
    return f"X-Cache {headers.get('X-Cache')}" if headers.get("X-Cache") else "no X-Cache"


def hit_rate(marks):
    """Hits among the answers that said HIT or MISS; None when none did."""
    hits, misses = marks.get("X-Cache HIT", 0), marks.get("X-Cache MISS", 0)
    return hits / (hits + misses) if hits + misses else None


def verdict(clients):
    """(passed, lines): never a 500 or a refused answer; with Redis down nothing is served from its store;
    with Redis back the hits come back."""
    problems = failures(clients.outcomes)
    during = clients.marks.get(PHASES[1], {}).get("X-Cache HIT", 0)
    rates = {phase: hit_rate(clients.marks.get(phase, {})) for phase in PHASES}
    resumed = rates[PHASES[2]] is not None and rates[PHASES[2]] >= 0.5

    def shown(rate):
        return "-" if rate is None else f"{rate:.0%}"

    lines = [
        "hit rate: " + ", ".join(f"{phase} {shown(rates[phase])}" for phase in PHASES),
        f"answers other than 200: {problems} (must be 0)",
        f"hits while Redis was down: {during} (must be 0: nothing can be read from a store that is not there)",
        f"caching resumed by itself: {'yes' if resumed else 'no'} (hit rate with Redis back ≥ 50%)",
    ]
    return problems == 0 and during == 0 and resumed, lines


def run(urls, *, workers, connections, seconds, progress):
    """The three phases; returns (passed, the lines to print)."""
    from .server import collect_static, free_port, gunicorn, warm_up

    if not shutil.which("redis-server"):
        raise BenchmarkError("redis-server is not on PATH (Debian: apt-get install redis-server).")
    paths = list(urls.values())
    collect_static()
    with tempfile.TemporaryDirectory(prefix="newsroom-bench-redis-") as directory:
        redis = RedisServer(free_port_between(*REDIS_PORTS), directory)
        redis.start()
        try:
            env = {"REDIS_URL": redis.url, "PAGE_CACHE": "on"}
            port = free_port()
            with gunicorn(port=port, workers=workers, env=env) as server:
                for path in paths:
                    warm_up(server, path, workers)
                clients = PhasedClients(port, paths, connections, mark=x_cache)
                progress(f"{PHASES[0]}: {seconds} s, Redis on 127.0.0.1:{redis.port}…")
                clients.start(PHASES[0])
                time.sleep(seconds)
                # Redis is stopped before the phase begins and started after the next one has, so that no
                # request of the middle phase can have reached it.
                progress(f"{PHASES[1]}: Redis shut down for {seconds} s…")
                redis.stop()
                clients.enter(PHASES[1])
                time.sleep(seconds)
                progress(f"{PHASES[2]}: Redis started again, {seconds} s…")
                clients.enter(PHASES[2])
                redis.start()
                time.sleep(seconds)
                clients.stop()
                server.check()
        finally:
            redis.stop()
    passed, lines = verdict(clients)
    header = (
        f"Redis outage: gunicorn, {workers} workers, page cache on, REDIS_URL {redis.url}; {connections} clients on "
        f"{len(paths)} pages in turn, {seconds} s per phase."
    )
    return passed, [header, phase_table(PHASES, clients), *lines]
