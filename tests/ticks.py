"""Several `flask werklab tick` processes started at once, as on several machines: the
harness of the tests that prove a periodic job does its work exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ticks_at_once(
    url: str, smtp_port: int | None = None, *, count: int = 2, timeout: float = 300
) -> list[str]:
    """Run `count` tick processes against the database at `url` at the same time and return
    their outputs; each must exit cleanly. Mail goes to the SMTP server on `smtp_port` (a
    test inbox), or nowhere without one. The timeout is generous: on a loaded machine a tick
    that renders certificate PDFs takes minutes."""
    mail = (
        {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port)}
        if smtp_port is not None
        else {"MAIL_BACKEND": "null"}
    )
    env = {
        **os.environ,
        "WERKLAB_CONFIG": "development",
        "DATABASE_URL": url,
        "BASE_URL": "http://werklab.test",
        **mail,
    }
    flask = str(Path(sys.executable).parent / "flask")
    procs = [
        subprocess.Popen(
            [flask, "--app", "werklab", "werklab", "tick"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(count)
    ]
    outputs = [p.communicate(timeout=timeout)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    return outputs
