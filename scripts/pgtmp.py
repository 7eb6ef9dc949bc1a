"""Start and stop a throwaway PostgreSQL server (tests and benchmarks).

initdb refuses to run as root, so as root the server runs as the `postgres` user. Listens on
127.0.0.1 only, on a free port, with its data in a temporary folder that stop() removes.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass


@dataclass
class PgServer:
    url_base: str  # postgresql+psycopg://postgres@127.0.0.1:PORT
    datadir: str
    bindir: str

    def url(self, dbname: str = "postgres") -> str:
        return f"{self.url_base}/{dbname}"

    def createdb(self, dbname: str) -> str:
        _run(
            [
                f"{self.bindir}/createdb",
                "-h",
                "127.0.0.1",
                "-p",
                self.port,
                "-U",
                "postgres",
                dbname,
            ]
        )
        return self.url(dbname)

    @property
    def port(self) -> str:
        return self.url_base.rsplit(":", 1)[1]

    def stop(self) -> None:
        _run(
            [
                f"{self.bindir}/pg_ctl",
                "-D",
                f"{self.datadir}/data",
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
            check=False,
        )
        shutil.rmtree(self.datadir, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _run(cmd: list[str], check: bool = True) -> None:
    subprocess.run(
        _as_postgres(cmd), check=check, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def find_bindir() -> str | None:
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(d.split("/")[-2]))
    return dirs[-1] if dirs else None


def start() -> PgServer:
    bindir = find_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")
    datadir = tempfile.mkdtemp(prefix="werklab-pg-")
    if os.geteuid() == 0:
        shutil.chown(datadir, "postgres", "postgres")
    port = _free_port()
    _run(
        [
            f"{bindir}/initdb",
            "-D",
            f"{datadir}/data",
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ]
    )
    opts = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {datadir} -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    _run(
        [
            f"{bindir}/pg_ctl",
            "-D",
            f"{datadir}/data",
            "-l",
            f"{datadir}/log",
            "-w",
            "-o",
            opts,
            "start",
        ]
    )
    return PgServer(f"postgresql+psycopg://postgres@127.0.0.1:{port}", datadir, bindir)


if __name__ == "__main__":
    server = start()
    print(server.url())
    input("Enter to stop ")
    server.stop()
