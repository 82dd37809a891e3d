"""What the fault scripts share: clients requesting pages through phases, and their answers counted by phase.

Nothing here imports Django: the fault scripts set up their own servers, and the tests use it against a plain
HTTP server.
"""

import threading
import time
from collections import Counter, defaultdict, deque
from http.client import HTTPException

from .load import fetch

LOOPBACK = ("127.0.0.1", "localhost", "::1")
BETWEEN = "between"


class PhasedClients:
    """`count` threads requesting `paths` in turn on 127.0.0.1:port until stopped. Each request is counted under
    the phase it started and ended in (BETWEEN when the phase changed meanwhile): its outcome (the status, or
    the name of the error when no answer came) in `outcomes`, and what `mark(status, headers, body)` says of
    the answer, if anything, in `marks` (a 503 that is not the designed page, the X-Cache header). The slowest
    request of each phase is kept too, and the outcomes of its last TAIL requests."""

    TAIL = 20

    def __init__(self, port, paths, count, mark=None, *, timeout=10):
        self.port, self.paths, self.count, self.mark, self.timeout = port, list(paths), count, mark, timeout
        self.phase = None
        self.outcomes = defaultdict(Counter)
        self.marks = defaultdict(Counter)
        self.slowest = defaultdict(float)
        self.tail = defaultdict(lambda: deque(maxlen=self.TAIL))
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = []

    def start(self, phase):
        self.phase = phase
        self._threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(self.count)]
        for thread in self._threads:
            thread.start()

    def enter(self, phase):
        self.phase = phase

    def stop(self, timeout=15):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=timeout)

    def _run(self, n):
        # Each thread starts at its own place in the list, so every page is asked for from the first moment.
        while not self._stop.is_set():
            phase, path = self.phase, self.paths[n % len(self.paths)]
            n += 1
            started = time.perf_counter()
            mark = None
            try:
                status, headers, body = fetch(self.port, path, timeout=self.timeout)
            except (OSError, HTTPException) as error:
                outcome = type(error).__name__
            else:
                outcome = str(status)
                mark = self.mark(status, headers, body) if self.mark else None
            took = time.perf_counter() - started
            if self.phase != phase:
                # A request that outlived its phase saw both states (a slow answer under load can take
                # seconds): it is counted apart, so that each phase's counts are of that state alone.
                phase = BETWEEN
            with self._lock:
                self.outcomes[phase][outcome] += 1
                if mark:
                    self.marks[phase][mark] += 1
                self.slowest[phase] = max(self.slowest[phase], took)
                self.tail[phase].append(outcome)


def phase_table(phases, clients):
    """A line per phase, and one for the requests that spanned two: their count, the slowest, the outcomes, then
    the marks."""
    lines = [f"{'phase':<11} {'requests':>8} {'slowest':>9}  answers"]
    for phase in [*phases, BETWEEN]:
        outcomes, marks = clients.outcomes.get(phase, Counter()), clients.marks.get(phase, Counter())
        listed = ", ".join(f"{outcome}: {n}" for outcome, n in sorted(outcomes.items()))
        if marks:
            listed += "; " + ", ".join(f"{mark}: {n}" for mark, n in sorted(marks.items()))
        slowest = f"{clients.slowest.get(phase, 0) * 1000:.0f} ms"
        lines.append(f"{phase:<11} {sum(outcomes.values()):>8} {slowest:>9}  {listed}")
    return "\n".join(lines)


def failures(outcomes, allowed=("200",)):
    """Requests over every phase whose outcome is not allowed (a 500, a refused connection, a timeout…)."""
    return sum(n for seen in outcomes.values() for outcome, n in seen.items() if outcome not in allowed)
