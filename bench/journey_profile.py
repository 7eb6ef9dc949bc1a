"""Profile the registration journey in-process: GET the form, POST it, GET the manage page
(and the manage page alone), through the Flask test client against the production config on a
seeded SQLite file, under cProfile. Prints the CPU ms per journey and the top costs.

Run: .venv/bin/python bench/journey_profile.py [--n 200] [--top 40] [--sort cumulative]
     .venv/bin/python bench/journey_profile.py --split   (each request alone, beside hello)
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SLUG = "cop-bewonersinitiatieven"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument(
        "--part",
        choices=("journey", "manage", "form", "post"),
        default="journey",
        help="what the profiler watches: the whole journey, the manage page or the form GET",
    )
    parser.add_argument(
        "--split",
        action="store_true",
        help="CPU ms of each request on its own, best of 6 batches, beside hello's",
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="journey-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    env = dict(
        os.environ,
        DATABASE_URL=url,
        SECRET_KEY="bench-" + secrets.token_hex(17),
        MAIL_DELIVERY="tick",
        WERKLAB_CONFIG="production",
    )
    flask = str(ROOT / ".venv" / "bin" / "flask")
    subprocess.run(
        [flask, "--app", "werklab", "db", "upgrade"], env=env, check=True, capture_output=True
    )
    subprocess.run(
        [flask, "--app", "werklab", "werklab", "seed-demo"],
        env=dict(env, WERKLAB_CONFIG="development"),
        check=True,
        capture_output=True,
    )
    os.environ.update(env)

    from run import SLUG as RUN_SLUG  # the benchmark's programme
    from run import form_body

    from werklab import create_app

    app = create_app()
    slug = RUN_SLUG or SLUG
    form_url = f"/programma/{slug}/inschrijven"

    # Production cookies are Secure: the client speaks https, as a browser behind TLS would.
    base = "https://localhost"
    referer = {"Referer": base + form_url}

    def new_client():
        c = app.test_client()
        c.environ_base["wsgi.url_scheme"] = "https"
        return c

    def journey(i: int) -> str:
        client = new_client()
        html = client.get(form_url, base_url=base).get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        body = form_body(token).replace("Bench", f"Bench{i}")
        resp = client.post(
            form_url,
            data=body + f"&email=j{i}-{secrets.token_hex(4)}%40example.nl",
            content_type="application/x-www-form-urlencoded",
            headers=referer,
            base_url=base,
        )
        errors = re.findall(r'class="error[^>]*>[^<]*', resp.get_data(as_text=True))
        assert resp.status_code == 302, (resp.status_code, errors)
        manage = resp.headers["Location"]
        assert client.get(manage, base_url=base).status_code == 200
        return manage

    manage = journey(0)  # warm-up
    for i in range(1, 10):
        journey(i)
    client = new_client()

    if args.split:
        split(client, new_client, journey, manage, form_url, f"/programma/{slug}", base, referer)
        return 0

    t0 = time.process_time()
    for i in range(args.n):
        journey(1000 + i)
    journey_ms = (time.process_time() - t0) * 1000 / args.n
    t0 = time.process_time()
    for _ in range(args.n):
        client.get(manage, base_url=base)
    manage_ms = (time.process_time() - t0) * 1000 / args.n
    t0 = time.process_time()
    for _ in range(args.n):
        client.get(form_url, base_url=base)
    form_ms = (time.process_time() - t0) * 1000 / args.n
    print(
        f"CPU ms per journey: {journey_ms:.2f}   manage page: {manage_ms:.2f}   "
        f"form GET: {form_ms:.2f}  (n={args.n}, test client, no profiler)"
    )
    if args.no_profile:
        return 0

    parts = {
        "journey": lambda i: journey(5000 + i),
        "manage": lambda i: client.get(manage, base_url=base),
        "form": lambda i: new_client().get(form_url, base_url=base),
    }
    if args.part == "post":  # each POST needs its own session and token: made beforehand
        prepared = []
        for i in range(args.n):
            c = new_client()
            html = c.get(form_url, base_url=base).get_data(as_text=True)
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
            body = form_body(token) + f"&email=p{i}-{secrets.token_hex(4)}%40example.nl"
            prepared.append((c, body))
        parts["post"] = lambda i: prepared[i][0].post(
            form_url,
            data=prepared[i][1],
            content_type="application/x-www-form-urlencoded",
            headers=referer,
            base_url=base,
        )
    part = parts[args.part]
    prof = cProfile.Profile()
    prof.enable()
    for i in range(args.n):
        part(i)
    prof.disable()
    pstats.Stats(prof).sort_stats(args.sort).print_stats(args.top)
    return 0


def best_of_batches(call, n: int, batches: int = 6) -> float:
    """The lowest CPU ms per call over `batches` batches of `n` calls (the least disturbed)."""
    best = float("inf")
    for _ in range(batches):
        t0 = time.process_time()
        for i in range(n):
            call(i)
        best = min(best, (time.process_time() - t0) * 1000 / n)
    return best


def split(client, new_client, journey, manage, form_url, page_url, base, referer) -> None:
    """Print each request of the journey on its own beside hello through its test client,
    measured in this run."""
    import hello
    from run import form_body

    hello_client = hello.app.test_client()
    hello_ms = best_of_batches(lambda i: hello_client.get("/"), 300)

    def post(i: int, n: int = 50) -> float:
        # Each POST needs its own session and form token: prepared outside the timing.
        prepared = []
        for j in range(n):
            c = new_client()
            html = c.get(form_url, base_url=base).get_data(as_text=True)
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
            email = f"s{i}-{j}-{secrets.token_hex(4)}%40example.nl"
            prepared.append((c, form_body(token) + f"&email={email}"))
        t0 = time.process_time()
        for c, body in prepared:
            response = c.post(
                form_url,
                data=body,
                content_type="application/x-www-form-urlencoded",
                headers=referer,
                base_url=base,
            )
            assert response.status_code == 302, response.status_code
        return (time.process_time() - t0) * 1000 / n

    client.get(page_url, base_url=base)
    rows = [
        ("programme page", best_of_batches(lambda i: client.get(page_url, base_url=base), 100)),
        ("form GET", best_of_batches(lambda i: new_client().get(form_url, base_url=base), 100)),
        ("manage page", best_of_batches(lambda i: client.get(manage, base_url=base), 100)),
        ("registration POST", min(post(b) for b in range(6))),
        ("journey", best_of_batches(lambda i: journey(30000 + i), 50)),
    ]
    print(f"{'request (test client, best of 6)':<36}{'CPU ms':>8}{'x hello':>9}")
    print(f"{'hello':<36}{hello_ms:>8.3f}{1:>8.1f}x")
    for name, ms in rows:
        print(f"{name:<36}{ms:>8.2f}{ms / hello_ms:>8.1f}x")


if __name__ == "__main__":
    sys.exit(main())
