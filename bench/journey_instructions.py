"""The registration journey in instructions: a figure that does not move with the machine.

Run: .venv/bin/python bench/journey_instructions.py [--n 40] [--parts hello,form,...]
Needs valgrind (Debian: apt-get install valgrind).

CPU times on a shared machine move by half from one hour to the next, and so does hello's, so
the ratio of two times measured minutes apart carries that noise. Valgrind's callgrind counts
the instructions the CPU carries out, the same on every run (to about 0.1%). For each part
this script starts a child process on a seeded SQLite file with the production config, lets
it warm up with counting off, switches counting on (callgrind_control), makes N calls through
the Flask test client and ends the process at once (os._exit, so the interpreter's shutdown is
not counted). Beside the instructions it prints each part's CPU time without valgrind (best of
five batches) and the time per instruction, which shows how much more an instruction costs in
a large application than in hello.

With --then COMMIT it measures that commit's code too (exported with git archive, its
translations compiled, seeded the same way) and prints both side by side. Issue 12 gave its
target in time measured elsewhere: the journey "about 17 ms of worker CPU", to become at most
8 ms. THEN is the code it measured (main when the issue was filed): the share of that work
the journey still does, times 17 ms, is what the journey now costs on that machine.

Parts: hello (the bare Flask app of hello.py); plain (a route in werklab that returns "ok":
what every request costs before any work); layout (an empty page in base.html); form (GET of
the registration form, a new visitor); post (the registration POST, form and token fetched
before counting); manage (the manage page); journey (form, POST, manage page).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import TARGET_JOURNEY_CPU_MS, THEN, THEN_FIELDS, THEN_JOURNEY_MS, export

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PARTS = ("hello", "plain", "layout", "form", "post", "manage", "journey")
#: The code measured: this checkout, or (--then) an exported commit. The child reads it here.
CODE_ROOT = Path(os.environ.get("JOURNEY_CODE_ROOT") or ROOT)
SLUG = "community-of-practice-bewonersinitiatieven-oost-nederland"
BASE = "https://localhost"  # production cookies are Secure: the client speaks https


def _env(database: Path, code: Path = ROOT) -> dict[str, str]:
    return dict(
        os.environ,
        JOURNEY_CODE_ROOT=str(code),
        # The exported code comes first on the path, before this checkout's editable install.
        PYTHONPATH=str(code),
        DATABASE_URL=f"sqlite:///{database}",
        SECRET_KEY="bench-" + secrets.token_hex(17),
        MAIL_DELIVERY="tick",
        WERKLAB_CONFIG="production",
        PYTHONDONTWRITEBYTECODE="1",
    )


def seed(database: Path, code: Path = ROOT) -> None:
    """Migrate and seed the demo data (seed-demo refuses the production config)."""
    env = dict(_env(database, code), WERKLAB_CONFIG="development")
    flask = str(VENV_BIN / "flask")
    for args in (["db", "upgrade"], ["werklab", "seed-demo"]):
        subprocess.run(
            [flask, "--app", "werklab", *args], env=env, cwd=code, check=True, capture_output=True
        )


# --- the child: one part, N calls ---------------------------------------------------------


def _calls(part: str, n: int):
    """Set up the app and return a function making the i-th call of `part`."""
    sys.path.insert(0, str(CODE_ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import hello
    from flask import render_template
    from jinja2 import ChoiceLoader, DictLoader
    from run import form_body

    from werklab import create_app

    app = create_app()
    app.jinja_env.loader = ChoiceLoader(
        [
            DictLoader(
                {
                    "_bench_layout.html": '{% extends "base.html" %}{% block content %}hi'
                    "{% endblock %}"
                }
            ),
            app.jinja_env.loader,
        ]
    )
    app.add_url_rule("/_bench/plain", "bench_plain", lambda: "ok")
    app.add_url_rule(
        "/_bench/layout", "bench_layout", lambda: render_template("_bench_layout.html")
    )
    form_url = f"/programma/{SLUG}/inschrijven"
    referer = {"Referer": BASE + form_url}
    run_tag = secrets.token_hex(4)
    extra = "" if CODE_ROOT == ROOT else THEN_FIELDS

    def client():
        c = app.test_client()
        c.environ_base["wsgi.url_scheme"] = "https"
        return c

    def form(c) -> str:
        html = c.get(form_url, base_url=BASE).get_data(as_text=True)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)

    def post(c, token: str, i: int) -> str:
        response = c.post(
            form_url,
            data=form_body(token) + f"&email=i{run_tag}-{i}%40example.nl" + extra,
            content_type="application/x-www-form-urlencoded",
            headers=referer,
            base_url=BASE,
        )
        assert response.status_code == 302, response.status_code
        return response.headers["Location"]

    def journey(i: int) -> None:
        c = client()
        manage = post(c, form(c), i)
        assert c.get(manage, base_url=BASE).status_code == 200

    hello_client, signed = hello.app.test_client(), client()
    manage_url = post(signed, form(signed), -1)
    for i in range(20):  # warm-up: every part's code paths and caches
        journey(-100 - i)
        hello_client.get("/")
        signed.get("/_bench/plain", base_url=BASE)
        signed.get("/_bench/layout", base_url=BASE)
        signed.get(manage_url, base_url=BASE)
    prepared = []
    if part == "post":  # each POST needs its own session and token, fetched beforehand
        prepared = [(c, form(c)) for c in (client() for _ in range(n))]
    return {
        "hello": lambda i: hello_client.get("/"),
        "plain": lambda i: signed.get("/_bench/plain", base_url=BASE),
        "layout": lambda i: signed.get("/_bench/layout", base_url=BASE),
        "form": lambda i: form(client()),
        "post": lambda i: post(*prepared[i], i),
        "manage": lambda i: signed.get(manage_url, base_url=BASE),
        "journey": journey,
    }[part]


def child(part: str, n: int, go: str) -> None:
    call = _calls(part, n)
    if go == "-":  # timing without valgrind: best of five batches, CPU ms per call
        batch = max(n // 5, 1)
        best = float("inf")
        for b in range(5):
            t0 = time.process_time()
            for i in range(batch):
                call(b * batch + i)
            best = min(best, (time.process_time() - t0) * 1000 / batch)
        print(f"CPU_MS {best:.4f}", flush=True)
        os._exit(0)
    Path(go + ".ready").write_text(str(os.getpid()))
    while not Path(go).exists():  # the parent switches counting on, then creates `go`
        time.sleep(0.05)
    for i in range(n):
        call(i)
    os._exit(0)  # not the interpreter's shutdown: it would be counted


# --- the parent -----------------------------------------------------------------------------


def count(part: str, n: int, database: Path, tmp: Path, code: Path = ROOT) -> float:
    """Instructions per call of `part`, counted by callgrind."""
    go, log = tmp / f"go-{part}", tmp / f"callgrind-{part}.log"
    go.unlink(missing_ok=True)
    Path(str(go) + ".ready").unlink(missing_ok=True)
    cmd = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={tmp / f'callgrind-{part}.out'}",
        sys.executable,
        __file__,
        "--child",
        part,
        str(n),
        str(go),
    ]
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, env=_env(database, code), stdout=out, stderr=subprocess.STDOUT)
    while not Path(str(go) + ".ready").exists():
        if proc.poll() is not None:
            raise RuntimeError(f"{part}: the child ended early:\n{log.read_text()[-2000:]}")
        time.sleep(0.5)
    pid = Path(str(go) + ".ready").read_text()
    subprocess.run(["callgrind_control", "-i", "on", pid], check=True, capture_output=True)
    go.touch()
    if proc.wait() != 0:
        raise RuntimeError(f"{part}: the child failed:\n{log.read_text()[-2000:]}")
    collected = re.search(r"Collected : (\d+)", log.read_text())
    return int(collected.group(1)) / n


def cpu_ms(part: str, n: int, database: Path, code: Path = ROOT) -> float:
    out = subprocess.run(
        [sys.executable, __file__, "--child", part, str(n), "-"],
        env=_env(database, code),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(re.search(r"CPU_MS ([\d.]+)", out).group(1))


def measure(parts: list[str], n: int, codes: dict[str, Path], tmp: Path) -> dict[str, dict]:
    """Instructions and CPU ms per call of each part, for each labelled code tree. The trees
    are measured part by part, one after the other, so that their CPU times are minutes apart
    at most."""
    seeded = {label: tmp / f"seeded-{label}.db" for label in codes}
    for label, code in codes.items():
        seed(seeded[label], code)
    rows: dict[str, dict] = {label: {} for label in codes}
    for part in parts:
        for label, code in codes.items():
            database = tmp / f"{label}-{part}.db"  # each part starts from the same data
            shutil.copy(seeded[label], database)
            instructions = count(part, n, database, tmp, code)
            shutil.copy(seeded[label], database)
            ms = cpu_ms(part, max(n * 5, 100), database, code)
            rows[label][part] = (instructions, ms)
            print(
                f"  {label} {part}: {instructions / 1e6:.2f} M instructions, {ms:.3f} ms",
                flush=True,
            )
    return rows


def print_rows(rows: dict) -> None:
    hello_ir, hello_ms = rows.get("hello", (None, None))
    print(
        f"{'part':<10}{'M instr/call':>14}{'× hello':>9}{'CPU ms':>9}{'× hello':>9}{'ns/instr':>10}"
    )
    for part, (ir, ms) in rows.items():
        ratio_ir = f"{ir / hello_ir:.1f}x" if hello_ir else "-"
        ratio_ms = f"{ms / hello_ms:.1f}x" if hello_ms else "-"
        print(
            f"{part:<10}{ir / 1e6:>14.2f}{ratio_ir:>9}{ms:>9.3f}{ratio_ms:>9}{ms * 1e6 / ir:>10.3f}"
        )


def print_then_and_now(then: dict, now: dict, commit: str) -> None:
    print(
        f"\n{'part':<10}{'M instr then':>14}{'M instr now':>13}{'now/then':>10}"
        f"{'ms then':>9}{'ms now':>8}{'now/then':>10}"
    )
    for part in now:
        (ir0, ms0), (ir1, ms1) = then[part], now[part]
        print(
            f"{part:<10}{ir0 / 1e6:>14.2f}{ir1 / 1e6:>13.2f}{ir1 / ir0:>10.1%}"
            f"{ms0:>9.3f}{ms1:>8.3f}{ms1 / ms0:>10.1%}"
        )
    if "journey" in now:
        (ir0, ms0), (ir1, ms1) = then["journey"], now["journey"]
        print(
            f"\nThe issue measured the journey of {commit} at about {THEN_JOURNEY_MS:g} ms of "
            f"worker CPU. The same machine would take\n"
            f"  {THEN_JOURNEY_MS * ir1 / ir0:.1f} ms for today's journey, scaled by its "
            f"instructions ({ir1 / ir0:.1%} of then's), and\n"
            f"  {THEN_JOURNEY_MS * ms1 / ms0:.1f} ms scaled by its CPU time here "
            f"({ms1 / ms0:.1%} of then's, same run); the target is {TARGET_JOURNEY_CPU_MS:g} ms."
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=40, help="calls counted per part")
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument(
        "--then",
        nargs="?",
        const=THEN,
        metavar="COMMIT",
        help=f"also measure this commit's code (default {THEN}, the code issue 12 measured)",
    )
    parser.add_argument("--child", nargs=3, metavar=("PART", "N", "GO"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.child[2])
        return 0
    parts = [p for p in args.parts.split(",") if p]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    if args.then and args.parts == ",".join(PARTS):
        parts = ["hello", "form", "post", "manage", "journey"]
    if args.then and not set(parts) <= {"hello", "form", "post", "manage", "journey"}:
        parser.error("--then measures hello, form, post, manage and journey (then had no others)")
    if not shutil.which("valgrind") or not shutil.which("callgrind_control"):
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="werklab-instructions-"))
    try:
        codes = {"then": export(args.then, tmp)} if args.then else {}
        measured = measure(parts, args.n, {**codes, "now": ROOT}, tmp)
        then, rows = measured.get("then"), measured["now"]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if then:
        print(f"\nthen ({args.then}):")
        print_rows(then)
        print("\nnow:")
    print()
    print_rows(rows)
    if then:
        print_then_and_now(then, rows, args.then)
    return 0


if __name__ == "__main__":
    sys.exit(main())
