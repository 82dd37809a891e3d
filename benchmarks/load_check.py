"""The load check: the reader pages in turn under many connections, against the production shape, cache on.

`manage.py bench --load-check` runs it, on 127.0.0.1 only and bounded by --load-seconds: first HEAVY
connections for the whole time, where no request may fail (a 5xx, a refused or dropped connection, a timeout);
then STEADY connections for as long, where the 99th percentile must stay under P99_LIMIT_MS. Every page
(home, section, article, search, feed, API list) is asked for in turn on every connection, as readers spread
over the site.
"""

from dataclasses import dataclass

from .load import Result, run_load

HEAVY = 64
STEADY = 32
P99_LIMIT_MS = 50


@dataclass
class Check:
    connections: int
    seconds: int
    result: Result

    @property
    def passed(self):
        if self.connections == HEAVY:
            return self.result.errors == 0
        return self.result.errors == 0 and self.result.p99 < P99_LIMIT_MS

    @property
    def bar(self):
        return "0 errors" if self.connections == HEAVY else f"0 errors, p99 < {P99_LIMIT_MS} ms"


def run(urls, *, tool, workers, seconds, progress, env=None):
    """The two runs on one gunicorn; returns [Check, Check]."""
    from .server import collect_static, free_port, gunicorn, warm_up

    paths = list(urls.values())
    collect_static()
    port = free_port()
    checks = []
    with gunicorn(port=port, workers=workers, env=env) as server:
        for path in paths:
            warm_up(server, path, workers)
        for connections in (HEAVY, STEADY):
            progress(f"{connections} connections for {seconds} s on {len(paths)} pages in turn with {tool}…")
            result = run_load(tool, port, paths, duration=seconds, connections=connections)
            server.check()
            checks.append(Check(connections, seconds, result))
    return checks


def format_checks(checks, *, workers, tool, cache):
    lines = [
        f"Load check: gunicorn, {workers} workers, page cache {cache}, {tool}, the pages in turn.",
        f"{'connections':>11} {'seconds':>7} {'requests':>9} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'errors':>6}  bar",
    ]
    for check in checks:
        result = check.result
        lines.append(
            f"{check.connections:>11} {check.seconds:>7} {result.requests:>9} {result.rps:>8.1f} "
            f"{result.p50:>7.1f} {result.p99:>7.1f} {result.errors:>6}  {check.bar}: "
            f"{'met' if check.passed else 'NOT MET'}"
        )
    return "\n".join(lines)
