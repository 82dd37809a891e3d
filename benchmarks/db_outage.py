"""PostgreSQL drops the site's connections under load: what readers get before, during and after.

    .venv/bin/python -m benchmarks.db_outage [--seconds 5] [--workers 2] [--connections 8]

On 127.0.0.1 only, and bounded: a database of its own (newsroom_outage_<pid>, made from the demo content and
dropped at the end) on the PostgreSQL server at --server, gunicorn in the production shape against it, and
--connections clients requesting the home page. For the middle phase, every 0.2 s, every backend of that one
database is ended with pg_terminate_backend, as a server restart or a failover ends them; the server itself is
never stopped or restarted, and no other database's connections are touched. Prints the answers per phase.
"""

import argparse
import os
import sys
import threading
import time
from collections import Counter
from http.client import HTTPException
from urllib.parse import urlsplit, urlunsplit

import psycopg2

PHASES = ("before", "during", "after")
MAX_SECONDS = 60
MAX_CONNECTIONS = 32
TERMINATE_EVERY = 0.2


def say(line, stream=None):
    (stream or sys.stdout).write(line + "\n")


def database_url(server_url, name):
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def admin(server_url, sql, params=()):
    connection = psycopg2.connect(server_url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else None
    finally:
        connection.close()


def terminate_backends(server_url, name):
    """End every connection to database `name` but this one's; returns how many were ended."""
    ended = admin(
        server_url,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
        [name],
    )
    return sum(1 for (done,) in ended if done)


def prepare(name):
    """Migrate the new database and put the demo content in it, in this process."""
    import django
    from django.core.management import call_command
    from django.db import connections

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--no-users", verbosity=0, stdout=sys.stderr)
    connections.close_all()


def clients(port, count, phase, stop):
    """`count` threads requesting / in a loop; returns {phase: Counter(status)} filled as they run."""
    from benchmarks.load import get

    counts = {name: Counter() for name in PHASES}
    lock = threading.Lock()

    def run():
        while not stop.is_set():
            started_in = phase[0]
            try:
                outcome = get(port, "/", timeout=10)
            except (OSError, HTTPException) as error:
                outcome = type(error).__name__
            with lock:
                counts[started_in][outcome] += 1

    threads = [threading.Thread(target=run, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    return counts, threads


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help=f"length of each phase (1 to {MAX_SECONDS})")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--connections", type=int, default=8, help=f"concurrent clients (1 to {MAX_CONNECTIONS})")
    parser.add_argument(
        "--server", default="postgres://postgres@127.0.0.1:5432/postgres", help="the PostgreSQL server, on loopback"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.seconds <= MAX_SECONDS or not 1 <= args.connections <= MAX_CONNECTIONS:
        parser.error(f"--seconds must be 1 to {MAX_SECONDS}, --connections 1 to {MAX_CONNECTIONS}")
    if urlsplit(args.server).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("--server must be on this machine (127.0.0.1)")

    name = f"newsroom_outage_{os.getpid()}"
    admin(args.server, f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = database_url(args.server, name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    try:
        say(f"Database {name}: migrating and adding the demo content…", sys.stderr)
        prepare(name)
        from benchmarks.server import collect_static, free_port, gunicorn, warm_up

        collect_static()
        port = free_port()
        with gunicorn(port=port, workers=args.workers) as server:
            warm_up(server, "/", args.workers)
            phase, stop = ["before"], threading.Event()
            counts, threads = clients(port, args.connections, phase, stop)
            time.sleep(args.seconds)
            phase[0] = "during"
            ended, deadline = 0, time.monotonic() + args.seconds
            while time.monotonic() < deadline:
                ended += terminate_backends(args.server, name)
                time.sleep(TERMINATE_EVERY)
            phase[0] = "after"
            time.sleep(args.seconds)
            stop.set()
            for thread in threads:
                thread.join(timeout=15)
            server.check()
            reasons = Counter(
                line.partition(": ")[2].partition(": ")[2]
                for line in server.tail(lines=100_000).splitlines()
                if line.startswith("Database unavailable, answered 503")
            )
    finally:
        terminate_backends(args.server, name)
        admin(args.server, f'DROP DATABASE IF EXISTS "{name}"')

    say(
        f"gunicorn, {args.workers} workers, {args.connections} clients on /, {args.seconds} s per phase; "
        f"{ended} backends ended with pg_terminate_backend during the middle phase."
    )
    say(f"{'phase':<8} {'requests':>9}  answers")
    for name_ in PHASES:
        answers = ", ".join(f"{status}: {n}" for status, n in sorted(counts[name_].items(), key=str))
        say(f"{name_:<8} {sum(counts[name_].values()):>9}  {answers}")
    for reason, n in reasons.most_common():
        say(f"  503 ({n}×): {reason}")
    if any(status not in (200, 503) for phase_counts in counts.values() for status in phase_counts):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
