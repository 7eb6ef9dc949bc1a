"""Does the journey's worker CPU depend on how many people go through it at once?

Starts the app (SQLite, production config, gunicorn -w 4 sync) and the bare hello app side by
side, then for each concurrency level measures, in the same minute, hello's worker CPU per
request and the journey's (GET the form, POST it, GET the manage page: bench/run.py's wrk
script) worker CPU per journey, with the split between user and system time. Each level is
measured twice, in two passes, so a disturbance shows as a difference between the passes.

Run: .venv/bin/python bench/journey_concurrency.py [--levels 16 4 2 1] [--duration 6]
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as R  # noqa: E402  (bench/run.py: the server, wrk and the journey script)


def user_system_ticks(pids: list[int]) -> tuple[int, int]:
    user = system = 0
    for pid in pids:
        fields = R.stat_fields(pid)
        if fields is not None:
            user, system = user + int(fields[11]), system + int(fields[12])
    return user, system


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--levels", type=int, nargs="+", default=[16, 4, 2, 1])
    parser.add_argument("--duration", type=int, default=6)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="journey-concurrency-"))
    env = R.app_env(f"sqlite:///{tmp / 'bench.db'}")
    R.prepare_database(env)
    app = R.Gunicorn("wsgi:app", env, tmp / "gunicorn-app.log")
    hello_env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    hello = R.Gunicorn(
        "hello:app", hello_env, tmp / "gunicorn-hello.log", ["--pythonpath", str(R.BENCH)]
    )
    try:
        app.wait_ready("/")
        hello.wait_ready("/")
        form_url = f"{app.base}/programma/{R.pick_slug(app.base)}/inschrijven"
        form_path = urllib.parse.urlsplit(form_url).path
        script = tmp / "journey.lua"
        R.write_journey_script(script, form_path, secrets.token_hex(3))
        R.run_wrk(form_url, 3, script, ["warmup"], threads=4, connections=4)
        print(
            f"{'pass':>4} {'people':>6} {'hello ms':>9} {'journey ms':>11} {'x hello':>8}"
            f" {'journeys':>9} {'user %':>7}"
        )
        for run in (1, 2):
            for level in args.levels:
                base = hello.measure(hello.base + "/", 4, threads=min(level, 2), connections=level)
                # A new address series per measurement: the same address twice is refused.
                R.write_journey_script(script, form_path, secrets.token_hex(3))
                before = user_system_ticks(app.worker_pids())
                result = app.measure(
                    form_url, args.duration, script, ["run"], threads=level, connections=level
                )
                after = user_system_ticks(app.worker_pids())
                figures = R.journey_figures(result)
                journey_ms = figures.get("cpu_ms_per_journey")
                user, system = after[0] - before[0], after[1] - before[1]
                user_share = 100 * user / max(user + system, 1)
                ratio = journey_ms / base.cpu_ms_per_request if journey_ms else float("nan")
                print(
                    f"{run:>4} {level:>6} {base.cpu_ms_per_request:>9.2f} {journey_ms!s:>11}"
                    f" {ratio:>7.0f}x {figures['journeys']:>9} {user_share:>6.0f}%",
                    flush=True,
                )
    finally:
        app.stop()
        hello.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
