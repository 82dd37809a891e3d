"""PostgreSQL drops the site's connections under load, then a query runs too long: what readers get.

    .venv/bin/python -m benchmarks.db_outage [--seconds 5] [--workers 2] [--connections 8]
    (or manage.py bench --db-outage [--outage-seconds 5] on PostgreSQL)

On 127.0.0.1 only, and bounded: a database of its own (newsroom_outage_<pid>, made from the demo content and
dropped at the end) on the PostgreSQL server at --server, gunicorn in the production shape against it (page
cache off, so that every request reaches the database), and --connections clients requesting the home page.
Five phases of --seconds each:

- before:     the database up;
- outage:     every 0.2 s, every backend of that one database is ended with pg_terminate_backend, as a server
              restart or a failover ends them; the server itself is never stopped or restarted, and no other
              database's connections are touched;
- after:      the same gunicorn, never restarted, must answer 200s again;
- slow query: a transaction of this script's holds every table locked, so every page's query waits on it
              until the statement timeout (--statement-timeout-ms) cuts it;
- recovered:  the lock released, 200s again.

Prints the answers per phase; a 503 that is not the designed page (templates/503.html) is marked. Exits 1 when
an answer is neither a 200 nor the designed 503, or when gunicorn does not answer 200s after a fault.
"""

import argparse
import os
import sys
import time
from collections import Counter
from urllib.parse import urlsplit, urlunsplit

import psycopg2

from benchmarks.faults import LOOPBACK, PhasedClients, phase_table

PHASES = ("before", "outage", "after", "slow query", "recovered")
AFTER_FAULT = ("after", "recovered")
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


def designed_title():
    """The <title> of templates/503.html, by which a designed 503 is told from any other."""
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "templates" / "503.html").read_text(encoding="utf-8")
    return page.partition("<title>")[2].partition("</title>")[0]


def mark_503(title):
    def mark(status, headers, body):
        if status != 503:
            return None
        text = body.decode("utf-8", "replace")
        return "503 designed" if title in text and "Traceback" not in text else "503 NOT the designed page"

    return mark


def hold_locks(server_url, name):
    """A connection to database `name` holding every table of the site locked until it is closed: whatever a
    page asks the database, it waits, until the statement timeout cuts it."""
    connection = psycopg2.connect(database_url(server_url, name))
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = ", ".join(f'"{table}"' for (table,) in cursor.fetchall())
        cursor.execute(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE")
    return connection


def verdict(clients, reasons):
    """(passed, lines). Every answer a 200 or the designed 503; after each fault the same gunicorn, never
    restarted, is back to 200s (its last answers in the phase all 200s); the slow query cut into a 503, as
    gunicorn's log says (`reasons`: {reason: count} of its 503s). The log, not the phase, because with every
    worker waiting on the lock the clients' requests queue, and most outlive the phase they started in."""
    outcomes, marks = clients.outcomes, clients.marks
    others = sum(n for seen in outcomes.values() for outcome, n in seen.items() if outcome not in ("200", "503"))
    undesigned = sum(seen.get("503 NOT the designed page", 0) for seen in marks.values())
    recovered = all(clients.tail[phase] and set(clients.tail[phase]) == {"200"} for phase in AFTER_FAULT)
    cut = sum(n for reason, n in reasons.items() if "statement timeout" in reason)
    lines = [
        f"answers neither 200 nor 503: {others} (must be 0)",
        f"503s that are not the designed page: {undesigned} (must be 0)",
        f"recovered without a restart: {'yes' if recovered else 'no'} (the last {clients.TAIL} answers after each "
        "fault all 200s, from the same gunicorn)",
        f"slow queries cut by the statement timeout into a 503: {cut} (must be more than 0)",
    ]
    return others == 0 and undesigned == 0 and recovered and cut > 0, lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help=f"length of each phase (1 to {MAX_SECONDS})")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--connections", type=int, default=8, help=f"concurrent clients (1 to {MAX_CONNECTIONS})")
    parser.add_argument(
        "--statement-timeout-ms", type=int, default=2000, help="gunicorn's DB_STATEMENT_TIMEOUT_MS (2000)"
    )
    parser.add_argument(
        "--server", default="postgres://postgres@127.0.0.1:5432/postgres", help="the PostgreSQL server, on loopback"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.seconds <= MAX_SECONDS or not 1 <= args.connections <= MAX_CONNECTIONS:
        parser.error(f"--seconds must be 1 to {MAX_SECONDS}, --connections 1 to {MAX_CONNECTIONS}")
    if not 1 <= args.workers <= 16 or not 100 <= args.statement_timeout_ms <= 10_000:
        parser.error("--workers must be 1 to 16, --statement-timeout-ms 100 to 10000")
    if urlsplit(args.server).hostname not in LOOPBACK:
        parser.error("--server must be on this machine (127.0.0.1)")

    name = f"newsroom_outage_{os.getpid()}"
    admin(args.server, f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = database_url(args.server, name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    lock = None
    try:
        say(f"Database {name}: migrating and adding the demo content…", sys.stderr)
        prepare(name)
        from benchmarks.server import collect_static, free_port, gunicorn, warm_up

        collect_static()
        port = free_port()
        env = {"PAGE_CACHE": "off", "DB_STATEMENT_TIMEOUT_MS": str(args.statement_timeout_ms)}
        with gunicorn(port=port, workers=args.workers, env=env) as server:
            warm_up(server, "/", args.workers)
            clients = PhasedClients(port, ["/"], args.connections, mark=mark_503(designed_title()))
            clients.start("before")
            time.sleep(args.seconds)
            clients.enter("outage")
            ended, deadline = 0, time.monotonic() + args.seconds
            while time.monotonic() < deadline:
                ended += terminate_backends(args.server, name)
                time.sleep(TERMINATE_EVERY)
            clients.enter("after")
            time.sleep(args.seconds)
            lock = hold_locks(args.server, name)
            clients.enter("slow query")
            time.sleep(args.seconds)
            clients.enter("recovered")
            lock.close()
            lock = None
            time.sleep(args.seconds)
            clients.stop()
            server.check()
            reasons = Counter(
                line.partition(": ")[2].partition(": ")[2]
                for line in server.tail(lines=100_000).splitlines()
                if line.startswith("Database unavailable, answered 503")
            )
    finally:
        if lock is not None:
            lock.close()
        terminate_backends(args.server, name)
        admin(args.server, f'DROP DATABASE IF EXISTS "{name}"')

    say(
        f"gunicorn, {args.workers} workers, page cache off, statement timeout {args.statement_timeout_ms} ms; "
        f"{args.connections} clients on /, {args.seconds} s per phase; {ended} backends ended with "
        "pg_terminate_backend during the outage."
    )
    say(phase_table(PHASES, clients))
    for reason, n in reasons.most_common():
        say(f"  503 ({n}×): {reason}")
    passed, lines = verdict(clients, reasons)
    for line in lines:
        say(line)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
