"""A real gunicorn server (several worker processes) for concurrency tests."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, *, workers: int = 4, threads: int = 8, **env_overrides):
    """Run wsgi:app under gunicorn with the testing config; yield its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "WERKLAB_CONFIG": "testing",
        "DATABASE_URL": database_url,
        "BASE_URL": base,
        **{k: str(v) for k, v in env_overrides.items()},
    }
    binary = str(Path(sys.executable).parent / "gunicorn")
    args = [
        binary,
        "-w",
        str(workers),
        "--threads",
        str(threads),
        "-b",
        f"127.0.0.1:{port}",
        "--graceful-timeout",
        "2",
        "--log-level",
        "warning",
    ]
    if _supports_control_socket_flag(binary):
        args.append("--no-control-socket")
    # The log goes to a file: a pipe nobody reads fills up and blocks the workers.
    with tempfile.TemporaryFile(mode="w+") as log:
        proc = subprocess.Popen([*args, "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            _wait_until_up(base, proc, log)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait_until_up(base: str, proc: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + 120  # a loaded machine can take 40 s to boot 4 workers
    while True:
        try:
            if requests.get(base + "/privacy", timeout=3).status_code == 200:
                return
        except requests.RequestException:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            raise RuntimeError(f"gunicorn did not start: {log.read()[-3000:]}")
        time.sleep(0.1)


_flag_cache: dict[str, bool] = {}


def _supports_control_socket_flag(binary: str) -> bool:
    if binary not in _flag_cache:
        out = subprocess.run([binary, "--help"], capture_output=True, text=True).stdout
        _flag_cache[binary] = "--no-control-socket" in out
    return _flag_cache[binary]


@dataclass
class Outcome:
    status: int
    location: str = ""
    error: str = ""


@dataclass
class Burst:
    """Fire many form POSTs at the same moment, each from its own browser session."""

    base: str
    outcomes: list[Outcome] = field(default_factory=list)

    def run(self, jobs: list[tuple[str, str, dict]], timeout: float = 60) -> list[Outcome]:
        """jobs: (form page path, post path, form data) per client."""
        barrier = threading.Barrier(len(jobs))
        results: list[Outcome | None] = [None] * len(jobs)

        def client(i: int, get_path: str, post_path: str, data: dict) -> None:
            session = requests.Session()
            try:
                # "Connection: close": the POST goes out on a new connection. Reusing this one
                # after the barrier races the server's keep-alive time-out (2 s): under load
                # the server could close it just as the POST went out, and the client saw
                # "Remote end closed connection without response" for a request never served.
                page = session.get(
                    self.base + get_path, timeout=timeout, headers={"Connection": "close"}
                )
                token = CSRF_RE.search(page.text).group(1)
            except Exception as exc:  # noqa: BLE001 - reported as an outcome
                barrier.abort()
                results[i] = Outcome(0, error=f"GET failed: {exc}")
                return
            try:
                barrier.wait(timeout=timeout)
                response = session.post(
                    self.base + post_path,
                    data={**data, "csrf_token": token},
                    allow_redirects=False,
                    timeout=timeout,
                )
                results[i] = Outcome(response.status_code, response.headers.get("Location", ""))
            except Exception as exc:  # noqa: BLE001
                results[i] = Outcome(0, error=str(exc))

        threads = [threading.Thread(target=client, args=(i, *job)) for i, job in enumerate(jobs)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout)
        self.outcomes = [r or Outcome(0, error="no answer") for r in results]
        return self.outcomes
