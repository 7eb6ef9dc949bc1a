"""The journey, then and now, in pairs: the issue 12 target read on the machine that set it.

Run: .venv/bin/python bench/journey_then_now.py [--rounds 6] [--then COMMIT]

`run.py --then` measures the old code's journey and then today's, a minute or two apart.
On this VM the CPU's speed moves by a third within minutes, so one such pair can land at
6.4 ms or at 8.7 ms for the same code. This script starts both servers side by side (SQLite,
the same gunicorn and wrk settings as run.py, each on its own seeded database) and measures
the journey on them in turn, then-now, now-then, ... Each round gives the share of then's
worker CPU that today's journey takes, measured seconds apart; the median of the rounds is
the figure. Issue 12 measured then's journey (THEN, main when the issue was filed) at about
17 ms: 17 ms times that share is what today's journey costs on that machine.

A server that is not being measured has nothing to do (sync workers wait in accept()), so
the other server does not disturb a measurement. Both waiting lists grow as the rounds go
on; today's grows faster (it handles more journeys per second), which counts against it.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import urllib.parse
from pathlib import Path

from run import (
    NOISY_SHARE,
    TARGET_JOURNEY_CPU_MS,
    THEN,
    THEN_FIELDS,
    THEN_JOURNEY_MS,
    WRK_CONNECTIONS,
    Gunicorn,
    app_env,
    export,
    find_wrk,
    journey_figures,
    pick_slug,
    prepare_database,
    run_wrk,
    write_journey_script,
)

ROOT = Path(__file__).resolve().parent.parent


class Side:
    """One code base (then or now) served by its own gunicorn on its own SQLite file."""

    def __init__(self, label: str, code: Path, tmp: Path, run_id: str, extra: str):
        self.label = label
        env = app_env(f"sqlite:///{tmp / f'{label}.db'}", code)
        print(f"[{label}] migrate and seed ...", flush=True)
        prepare_database(env, code)
        self.server = Gunicorn("wsgi:app", env, tmp / f"gunicorn-{label}.log", cwd=code)
        self.server.wait_ready("/")
        form_path = f"/programma/{pick_slug(self.server.base)}/inschrijven"
        self.url = self.server.base + form_path
        self.script = tmp / f"journey-{label}.lua"
        write_journey_script(self.script, urllib.parse.urlsplit(self.url).path, run_id, extra)
        self.conns = dict(threads=WRK_CONNECTIONS, connections=WRK_CONNECTIONS)

    def warm_up(self, seconds: int) -> None:
        run_wrk(self.url, seconds, self.script, ["warmup"], **self.conns)

    def measure(self, seconds: int, round_no: int) -> dict:
        result = self.server.measure(
            self.url, seconds, self.script, [f"run{round_no}"], **self.conns
        )
        figures = journey_figures(result)
        figures["other_cpu_share"] = result.other_cpu_share
        return figures

    def stop(self) -> None:
        self.server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=6, help="pairs of measurements")
    parser.add_argument("--duration", type=int, default=8, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up, once each")
    parser.add_argument("--then", default=THEN, metavar="COMMIT", help=f"default {THEN}")
    args = parser.parse_args()
    find_wrk()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tmp = Path(tempfile.mkdtemp(prefix="werklab-then-now-"))
    run_id = secrets.token_hex(4)
    sides: list[Side] = []
    rows = []
    try:
        sides.append(Side(args.then, export(args.then, tmp), tmp, run_id, THEN_FIELDS))
        sides.append(Side("now", ROOT, tmp, run_id, ""))
        then, now = sides
        for side in sides:
            side.warm_up(args.warmup)
        for n in range(args.rounds):
            # Alternate which goes first, so that a machine slowing down or speeding up
            # within a round does not always favour the same side.
            order = (then, now) if n % 2 == 0 else (now, then)
            got = {side.label: side.measure(args.duration, n) for side in order}
            rows.append((got[then.label], got[now.label]))
            a, b = rows[-1]
            print(
                f"round {n + 1}: then {a.get('cpu_ms_per_journey')} ms, "
                f"now {b.get('cpu_ms_per_journey')} ms per journey "
                f"(other processes {a['other_cpu_share']:.0%} / {b['other_cpu_share']:.0%})",
                flush=True,
            )
        errors = {side.label: side.server.errors() for side in sides}
    finally:
        for side in sides:
            side.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    shares, problems = [], []
    print(f"\n{'round':>5} {'then ms':>9} {'now ms':>8} {'now/then':>9} {'on that machine':>16}")
    for n, (a, b) in enumerate(rows, 1):
        for label, fig in ((args.then, a), ("now", b)):
            wrong = {k: v for k, v in fig["statuses"].items() if not k.endswith("-200")}
            wrong.pop("post-302", None)
            if wrong:
                problems.append(f"round {n}, {label}: unexpected answers {wrong}")
        if not a.get("cpu_ms_per_journey") or not b.get("cpu_ms_per_journey"):
            problems.append(f"round {n}: no journey completed")
            continue
        share = b["cpu_ms_per_journey"] / a["cpu_ms_per_journey"]
        shares.append(share)
        noisy = max(a["other_cpu_share"], b["other_cpu_share"]) > NOISY_SHARE
        print(
            f"{n:>5} {a['cpu_ms_per_journey']:>9.2f} {b['cpu_ms_per_journey']:>8.2f} "
            f"{share:>9.1%} {THEN_JOURNEY_MS * share:>13.1f} ms" + ("  (noisy)" if noisy else "")
        )
    for label, lines in errors.items():
        if lines:
            problems.append(f"{label}: {len(lines)} error lines in the gunicorn log")
    if shares:
        median = statistics.median(shares)
        print(
            f"\nMedian of {len(shares)} rounds: today's journey takes {median:.1%} of the worker "
            f"CPU of {args.then}'s.\nIssue 12 measured that code's journey at about "
            f"{THEN_JOURNEY_MS:g} ms: on that machine today's would take "
            f"{THEN_JOURNEY_MS * median:.1f} ms (target {TARGET_JOURNEY_CPU_MS:g} ms; rounds "
            f"{THEN_JOURNEY_MS * min(shares):.1f}-{THEN_JOURNEY_MS * max(shares):.1f} ms)."
        )
    for problem in problems:
        print(f"PROBLEM: {problem}")
    return 1 if problems or not shares else 0


if __name__ == "__main__":
    sys.exit(main())
