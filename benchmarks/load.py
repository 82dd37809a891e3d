"""Load on one URL and its numbers: wrk when installed, else one Python process per connection.

Nothing here imports Django: the load-generator processes import this module, configured or not.
"""

import math
import multiprocessing
import re
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from http.client import HTTPConnection, HTTPException

from . import BenchmarkError

# A bound on any one load-generator connection, whatever the duration.
MAX_REQUESTS_PER_CONNECTION = 200_000


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


def choose_tool(tool):
    if tool == "auto":
        return "wrk" if shutil.which("wrk") else "python"
    if tool == "wrk" and not shutil.which("wrk"):
        raise BenchmarkError("wrk is not on PATH (Debian: apt-get install wrk); leave out --tool to use python.")
    return tool


def get(port, url, timeout=10):
    """One GET to 127.0.0.1:port; returns the status."""
    return fetch(port, url, timeout)[0]


def fetch(port, url, timeout=10):
    """One GET to 127.0.0.1:port; returns the status, the headers (an HTTPMessage) and the body."""
    conn = HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", url)
        response = conn.getresponse()
        body = response.read()
        return response.status, response.headers, body
    finally:
        conn.close()


def run_load(tool, port, url, *, duration, connections):
    """`url` is one address, or a list of them requested in turn (a mixed load, as readers spread over pages)."""
    paths = [url] if isinstance(url, str) else list(url)
    target = f"http://127.0.0.1:{port}{paths[0]}"
    if tool == "wrk":
        threads = str(min(2, connections))
        command = ["wrk", "-t", threads, "-c", str(connections), "-d", f"{duration}s", "--latency"]
        with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
            if len(paths) > 1:
                script.write(wrk_rotation(paths))
                script.flush()
                command += ["-s", script.name]
            done = subprocess.run([*command, target], capture_output=True, text=True, check=False)
        if done.returncode:
            raise BenchmarkError(f"wrk failed:\n{done.stderr.strip() or done.stdout.strip()}")
        return parse_wrk(done.stdout)
    return python_load(port, paths, duration=duration, connections=connections)


def wrk_rotation(paths):
    """A wrk script sending each connection's requests to the paths in turn."""
    quoted = ", ".join('"' + path.replace("\\", "\\\\").replace('"', '\\"') + '"' for path in paths)
    return (
        f"local paths = {{{quoted}}}\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n % #paths + 1\n"
        '  return wrk.format("GET", paths[n])\n'
        "end\n"
    )


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
        raise BenchmarkError(f"Could not read wrk's output:\n{output}")
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
    """Without wrk: one process per connection, each sending requests one after another until time is up.
    `url` is one address or a list requested in turn."""
    paths = [url] if isinstance(url, str) else list(url)
    # The processes start together, a moment from now, so slow starters do not shorten the run.
    start_at = time.time() + 0.5
    jobs = [(port, paths, start_at, duration, MAX_REQUESTS_PER_CONNECTION)] * connections
    # Ctrl-C reaches the whole process group: only this process acts on it, stopping the pool and gunicorn.
    with multiprocessing.Pool(connections, initializer=signal.signal, initargs=(signal.SIGINT, signal.SIG_IGN)) as pool:
        parts = pool.starmap(hammer, jobs)
        # Let the processes end by themselves: leaving the block would terminate() them with SIGTERM, and they
        # inherited bench's SIGTERM handler, which raises where it lands, so a process could hang the run.
        pool.close()
        pool.join()
    latencies = [latency for part in parts for latency in part[0]]
    errors = sum(part[1] for part in parts)
    elapsed = max(part[3] for part in parts) - min(part[2] for part in parts)
    # Requests that got an answer but not a 200 count as errors and are left out of requests/s.
    return summarize(latencies, errors, elapsed)


def hammer(port, url, start_at, duration, max_requests):
    """One connection's share of the load: (latencies of 200s in seconds, errors, started, ended). `url` is one
    address or a list requested in turn."""
    paths = [url] if isinstance(url, str) else list(url)
    time.sleep(max(0.0, start_at - time.time()))
    started = time.time()
    deadline = time.perf_counter() + duration
    latencies, errors = [], 0
    conn = HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        for n in range(max_requests):
            before = time.perf_counter()
            if before >= deadline:
                break
            try:
                conn.request("GET", paths[n % len(paths)])
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
