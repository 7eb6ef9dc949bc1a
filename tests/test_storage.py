"""werklab/storage.py: both backends keep the transaction's promise (a file written in a
transaction that rolls back is gone; a deleted file goes when the deletion commits)."""

from __future__ import annotations

import secrets

import pytest

from werklab import create_app, storage
from werklab.assignments import services
from werklab.assignments.models import SubmissionFile
from werklab.extensions import db
from werklab.storage import StoredFile


@pytest.fixture(params=["local", "database"])
def kind(request, app, tmp_path):
    old = dict(app.config)
    app.config.update(FILE_STORAGE=request.param, UPLOAD_FOLDER=str(tmp_path / "up"))
    yield request.param
    app.config.update(FILE_STORAGE=old["FILE_STORAGE"], UPLOAD_FOLDER=old["UPLOAD_FOLDER"])


def _where(kind, tmp_path, key) -> bool:
    """Is the file there, looked at directly (folder or table)?"""
    if kind == "local":
        return (tmp_path / "up" / key).is_file()
    return (
        db.session.execute(db.select(StoredFile.key).where(StoredFile.key == key)).first()
        is not None
    )


def test_save_open_exists(kind, tmp_path):
    key = storage.save(secrets.token_hex(16), b"\x00abc\xff", "application/pdf")
    assert storage.exists(key) and _where(kind, tmp_path, key)
    with storage.open_file(key) as fh:
        assert fh.read() == b"\x00abc\xff"
    db.session.commit()
    with storage.open_file(key) as fh:
        assert fh.read() == b"\x00abc\xff"


def test_a_rolled_back_save_leaves_nothing(kind, tmp_path):
    key = storage.save(secrets.token_hex(16), b"data", "application/pdf")
    db.session.rollback()
    assert not storage.exists(key) and not _where(kind, tmp_path, key)
    with pytest.raises(FileNotFoundError):
        storage.open_file(key)


def test_delete_takes_effect_with_the_commit(kind, tmp_path):
    key = storage.save(secrets.token_hex(16), b"data", "application/pdf")
    db.session.commit()
    storage.delete(key)
    db.session.rollback()
    assert storage.exists(key)  # the deletion rolled back: the file stays
    storage.delete(key)
    db.session.commit()
    assert not storage.exists(key) and not _where(kind, tmp_path, key)


def test_keys_are_ours_only(kind):
    for bad in ("../../etc/passwd", "plan.pdf", "", "ABCDEF0123456789"):
        with pytest.raises(ValueError):
            storage.save(bad, b"x", "application/pdf")
        with pytest.raises(ValueError):
            storage.open_file(bad)


def test_copy_local_to_database(app, tmp_path):
    folder = tmp_path / "old"
    folder.mkdir()
    keys = [secrets.token_hex(16) for _ in range(2)]
    for key in keys:
        (folder / key).write_bytes(key.encode())
    (folder / "notes.txt").write_text("not ours")
    assert storage.copy_local_to_database(folder) == 2
    assert storage.copy_local_to_database(folder) == 0  # again: nothing new
    for key in keys:
        assert db.session.get(StoredFile, key).data == key.encode()


def test_an_unknown_backend_refuses_to_start(new_database):
    with pytest.raises(RuntimeError, match="FILE_STORAGE"):
        create_app("testing", SQLALCHEMY_DATABASE_URI=new_database(), FILE_STORAGE="s3")


def test_files_to_database_command(app, tmp_path):
    key = secrets.token_hex(16)
    (tmp_path / key).write_bytes(b"hand-in")
    result = app.test_cli_runner().invoke(
        args=["werklab", "files-to-database", "--folder", str(tmp_path)]
    )
    assert "1 file(s) copied" in result.output
    assert db.session.get(StoredFile, key).data == b"hand-in"


def test_read_file_of_a_hand_in(kind):
    key = storage.save(secrets.token_hex(16), b"%PDF-1.4 x", "application/pdf")
    assert services.read_file(SubmissionFile(stored_name=key)) == b"%PDF-1.4 x"
    assert services.read_file(SubmissionFile(stored_name=secrets.token_hex(16))) is None
