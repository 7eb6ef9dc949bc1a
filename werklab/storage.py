"""Stored files (hand-ins) behind one small interface, so that every app machine can reach them.

    key = storage.save(key, data, content_type)   # inside the transaction that records it
    with storage.open(key) as fh: ...              # FileNotFoundError when there is none
    storage.exists(key)
    storage.delete(key)                            # inside the transaction that forgets it

Keys are ours (random hex), never a name a user sent. `FILE_STORAGE` chooses the backend:

- `local` (the one-machine default): files in `UPLOAD_FOLDER`. A file written in a
  transaction that rolls back is removed again; a file deleted in a transaction is removed
  only once that transaction commits.
- `database`: files as rows of `stored_files` (bytea on PostgreSQL), written and deleted in
  the same transaction as the rows that name them, so every machine that shares the
  database sees them, and a backup of the database holds them.

Everything else in werklab (certificates, invoices, quotes, attendance lists, exports) is
rendered when asked for and never stored.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Protocol

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, deferred, mapped_column

from werklab.db import Base, utcnow
from werklab.extensions import db

BACKENDS = ("local", "database")
_KEY = re.compile(r"[0-9a-f]{16,64}")


class StoredFile(Base):
    """A file kept in the database (FILE_STORAGE=database)."""

    __tablename__ = "stored_files"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    data: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary, nullable=False))


class Backend(Protocol):
    def save(self, key: str, data: bytes, content_type: str) -> str: ...
    def open(self, key: str) -> BinaryIO: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> None: ...


def _check_key(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


_WRITTEN = "werklab_storage_written"  # local files to remove if the transaction rolls back
_DOOMED = "werklab_storage_doomed"  # local files to remove once the transaction commits


class LocalStorage:
    """Files in one folder of this machine (UPLOAD_FOLDER)."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / _check_key(key)

    def save(self, key: str, data: bytes, content_type: str) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(key)
        db.session.connection()  # in a transaction, so that its rollback removes the file
        # "xb": never overwrite; keys are random, so a clash means something is wrong.
        with open(path, "xb") as fh:
            db.session.info.setdefault(_WRITTEN, []).append(path)
            fh.write(data)
        return key

    def open(self, key: str) -> BinaryIO:
        return open(self._path(key), "rb")

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        db.session.connection()  # in a transaction, so that its commit removes the file
        db.session.info.setdefault(_DOOMED, []).append(self._path(key))


class DatabaseStorage:
    """Files as rows in the database that every machine shares."""

    def save(self, key: str, data: bytes, content_type: str) -> str:
        db.session.add(
            StoredFile(
                key=_check_key(key), content_type=content_type, size=len(data), data=bytes(data)
            )
        )
        db.session.flush()
        return key

    def open(self, key: str) -> BinaryIO:
        data = db.session.scalar(
            sa.select(StoredFile.data).where(StoredFile.key == _check_key(key))
        )
        if data is None:
            raise FileNotFoundError(key)
        return io.BytesIO(data)

    def exists(self, key: str) -> bool:
        return bool(
            db.session.scalar(
                sa.select(
                    sa.select(StoredFile.key).where(StoredFile.key == _check_key(key)).exists()
                )
            )
        )

    def delete(self, key: str) -> None:
        db.session.execute(sa.delete(StoredFile).where(StoredFile.key == _check_key(key)))


def backend() -> Backend:
    """The backend FILE_STORAGE names."""
    name = current_app.config.get("FILE_STORAGE", "local")
    if name == "database":
        return DatabaseStorage()
    if name == "local":
        return LocalStorage(current_app.config["UPLOAD_FOLDER"])
    raise RuntimeError(f"FILE_STORAGE must be one of {', '.join(BACKENDS)}, not {name!r}")


def save(key: str, data: bytes, content_type: str) -> str:
    return backend().save(key, data, content_type)


def open_file(key: str) -> BinaryIO:
    return backend().open(key)


def exists(key: str) -> bool:
    return backend().exists(key)


def delete(key: str) -> None:
    backend().delete(key)


def copy_local_to_database(folder: str | Path) -> int:
    """Copy the files of a local folder into the database (moving to FILE_STORAGE=database);
    files already there are skipped. Flushes, never commits; returns how many were copied."""
    copied = 0
    for path in sorted(Path(folder).iterdir()) if Path(folder).is_dir() else []:
        if not (path.is_file() and _KEY.fullmatch(path.name)):
            continue
        if db.session.get(StoredFile, path.name) is not None:
            continue
        DatabaseStorage().save(path.name, path.read_bytes(), "application/octet-stream")
        db.session.expunge_all()  # do not keep every file in memory
        copied += 1
    return copied


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    for path in session.info.pop(_DOOMED, []):
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_DOOMED, None)
    for path in session.info.pop(_WRITTEN, []):
        path.unlink(missing_ok=True)
