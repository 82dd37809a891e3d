"""Measuring the reader pages: SQL queries in-process, then requests per second under gunicorn.

The numbers are printed, never asserted: the tests hold the query budgets, benchmarks show the speed
(docs/architecture.md, "Budgets"). `manage.py bench` is the front door; the modules here do the work:

- pages.py   which pages to measure and how many queries one anonymous request to each runs (needs Django)
- server.py  gunicorn in the production shape, its CPU time read from /proc, each page put under load
- load.py    the load generators (wrk, or Python processes) and their numbers; imports nothing from Django,
             so load-generator processes can import it without a configured Django
- report.py  the table and the lines printed at the end
"""


class BenchmarkError(Exception):
    """A benchmark that cannot run or be read, with a message for the person running it."""
