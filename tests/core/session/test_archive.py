"""The container: whole-file and member rejections, atomic saves."""

from __future__ import annotations

import io
import os
import pickle
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nnviz.core import Network
from nnviz.core.session import (
    Session,
    SessionError,
    archive,
    load,
    save,
)
from tests.core.session.helpers import (
    edit,
    members,
    npy,
    rejects,
    set_field,
    trained_session,
    write_members,
)

# --------------------------------------------------------------------------------------------
# Whole-file rejections


def test_rejects_missing_empty_random_and_non_zip_files(tmp_path: Path) -> None:
    rejects(tmp_path / "nope.nnviz", "no such file")
    rejects(tmp_path, "folder")
    empty = tmp_path / "empty.nnviz"
    empty.write_bytes(b"")
    rejects(empty, "empty")
    noise = tmp_path / "noise.nnviz"
    noise.write_bytes(np.random.default_rng(0).bytes(5000))
    rejects(noise, "not a ZIP")
    text = tmp_path / "text.nnviz"
    text.write_text('{"format": "nnviz-session", "version": 1}')
    rejects(text, "not a ZIP")
    fake = tmp_path / "fake.nnviz"
    fake.write_bytes(b"PK\x03\x04" + bytes(200))
    rejects(fake, "truncated or corrupted")


@pytest.mark.parametrize("keep", [0.99, 0.9, 0.5, 0.1])
def test_rejects_truncated_file(good: Path, keep: float) -> None:
    data = good.read_bytes()
    good.write_bytes(data[: int(len(data) * keep)])
    rejects(good)


def test_rejects_corrupted_member_data(good: Path) -> None:
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("weights/1.npy")
    # Flip a byte inside the member's compressed data (after its 30-byte local header + name).
    pos = info.header_offset + 30 + len(info.filename) + 5
    data[pos] ^= 0xFF
    good.write_bytes(bytes(data))
    rejects(good, "weights/1.npy")


def test_rejects_archive_without_session_json(good: Path) -> None:
    content = members(good)
    del content["session.json"]
    write_members(good, content)
    rejects(good, "no session.json")


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (b'{"format": "nnviz-session", "version": 1,', "not valid JSON (line 1"),
        (b"[1, 2, 3]", "holds a list, expected an object"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"format": "nnviz-session", "version": NaN}', "NaN"),
        (b'{"format": "nnviz-session", "format": "nnviz-session"}', "twice"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"format": "keras-model", "version": 1}', "format is 'keras-model'"),
        (b'{"version": 1}', "has no 'format'"),
        (b'{"format": "nnviz-session"}', "missing field 'version'"),
    ],
)
def test_rejects_bad_json(good: Path, raw: bytes, fragment: str) -> None:
    content = members(good)
    content["session.json"] = raw
    write_members(good, content)
    rejects(good, fragment)


def test_rejects_newer_version_with_a_clear_message(good: Path) -> None:
    edit(good, lambda d: d.update(version=3))
    err = rejects(good)
    assert str(err) == (
        "lesson.nnviz: written by a newer nnviz (version 3); this nnviz reads version 1"
    )
    assert err.problem.startswith("written by") and err.path == str(good)


@pytest.mark.parametrize("version", [0, -1, "1", 1.0, True, None])
def test_rejects_invalid_version(good: Path, version: Any) -> None:
    edit(good, lambda d: d.update(version=version))
    rejects(good, "version")




# --------------------------------------------------------------------------------------------
# Array member rejections


def test_rejects_weights_of_the_wrong_shape_with_the_documented_message(good: Path) -> None:
    edit(good, set_field("parameters.weights.1.shape", [3, 1]), weights__1=npy(np.ones((3, 1))))
    err = rejects(good)
    assert str(err) == (
        "lesson.nnviz: weights[1] has shape (3, 1), expected (4, 1) for layers 2-4-1"
    )


def test_rejects_npy_whose_header_disagrees_with_session_json(good: Path) -> None:
    edit(good, weights__0=npy(np.ones((4, 2))))
    rejects(good, "weights[0]", "has shape (4, 2) but session.json declares (2, 4)")


def test_rejects_nan_weights_and_inf_velocity(good: Path, tmp_path: Path) -> None:
    w = load(good).weights[0].copy()
    w[1, 2] = np.nan
    edit(good, weights__0=npy(w))
    rejects(good, "weights[0] contains NaN")
    other = tmp_path / "v.nnviz"
    save(other, trained_session())
    v = load(other).velocity.copy()
    v[0] = np.inf
    edit(other, velocity=npy(v))
    rejects(other, "velocity contains infinite values")


def test_rejects_weights_of_another_dtype(good: Path) -> None:
    edit(good, weights__0=npy(load(good).weights[0].astype(np.float32)))
    rejects(good, "weights[0] is float32, expected float64")


def test_rejects_object_npy_without_unpickling(good: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self) -> tuple:
            return (open, (str(marker), "w"))

    arr = np.empty((2, 4), dtype=object)
    arr[0, 0] = Payload()
    payload = npy(arr, allow_pickle=True)
    assert b"pwned" in payload and pickle.PROTO in payload  # really a pickle inside
    edit(good, weights__0=payload)
    rejects(good, "weights[0]", "holds object data", "pickle")
    assert not marker.exists()


@pytest.mark.parametrize(
    ("arr", "fragment"),
    [
        (np.zeros((2, 4), dtype=[("a", "f8")]), "not plain numbers"),
        (np.zeros((2, 4), dtype=complex), "complex128 data, not plain numbers"),
        (np.full((2, 4), "x"), "<U1 data, not plain numbers"),
        (np.zeros((2, 4), dtype=bool), "bool data, not plain numbers"),
        (np.zeros((2, 4), dtype=np.longdouble), "not plain numbers"),
    ],
)
def test_rejects_npy_of_non_numeric_dtypes(good: Path, arr: np.ndarray, fragment: str) -> None:
    edit(good, weights__0=npy(arr))
    rejects(good, "weights[0]", fragment)


def test_rejects_non_npy_member(good: Path) -> None:
    edit(good, weights__0=b"not an array at all, just text")
    rejects(good, "weights[0]", "not a valid .npy array")


def test_rejects_npy_member_that_is_itself_a_zip(good: Path) -> None:
    buf = io.BytesIO()
    np.savez(buf, w=np.ones((2, 4)))
    edit(good, weights__0=buf.getvalue())
    rejects(good, "weights[0]", "not a valid .npy array")


def test_rejects_truncated_and_padded_npy_members(good: Path, tmp_path: Path) -> None:
    full = npy(load(good).weights[0])
    edit(good, weights__0=full[:-8])
    rejects(good, "weights[0]", "truncated (56 of 64 data bytes)")
    other = tmp_path / "pad.nnviz"
    save(other, trained_session())
    edit(other, weights__0=full + b"\0" * 8)
    rejects(other, "weights[0]", "extra bytes")


def test_rejects_zip_bomb_member_before_decompressing(good: Path) -> None:
    # 64 MB of zeros compress to ~64 KB; the declared (2, 4) float64 shape needs 64 bytes.
    bomb = npy(np.ones((2, 4))) + bytes(64 * 1024**2)
    edit(good, weights__0=bomb)
    assert good.stat().st_size < 1024**2
    rejects(good, "weights[0]", "bytes uncompressed, more than shape (2, 4) can need")


def test_rejects_missing_member(good: Path) -> None:
    edit(good, history__train_loss=None)
    rejects(good, "history.train_loss", "'history/train_loss.npy' is missing")


def test_rejects_history_of_strings_and_unequal_lengths(good: Path, tmp_path: Path) -> None:
    edit(good, history__test_loss=npy(np.array(["a"] * 7)))
    rejects(good, "history.test_loss", "not plain numbers")
    # Unequal lengths caught on the in-memory session too (save refuses it).
    s = trained_session()
    s.history["accuracy"] = s.history["accuracy"][:-1]
    with pytest.raises(SessionError, match="history columns differ in length"):
        save(tmp_path / "x.nnviz", s)


def test_rejects_absurd_total_array_size(good: Path) -> None:
    # Each history column stays under its own limit, but 6 of them would need > 2 GiB; the
    # total is checked before any member is read.
    def grow(doc: dict) -> None:
        n = 49_000_000
        columns = doc["history"]["columns"]
        columns["extra"] = dict(columns["epoch"])
        doc["history"]["length"] = n
        for ref in columns.values():
            ref["shape"] = [n]

    edit(good, grow)
    rejects(good, "more than the 2,147,483,648 a session may hold")



# --------------------------------------------------------------------------------------------
# Saving


def test_save_refuses_invalid_sessions_and_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.nnviz"
    s = trained_session()
    s.weights[0][0, 0] = np.nan
    with pytest.raises(SessionError, match=r"^bad.nnviz: not saved: weights\[0\] contains NaN"):
        save(path, s)
    s = trained_session(view={"zoom": float("inf")})
    with pytest.raises(SessionError, match="view.zoom is inf"):
        save(path, s)
    s = trained_session(view={"widget": object()})
    with pytest.raises(SessionError, match="not a plain JSON value"):
        save(path, s)
    s = trained_session()
    s.weights = s.weights[:1]
    with pytest.raises(SessionError, match="weights: expected 2 arrays for layers 2-4-1, got 1"):
        save(path, s)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), RuntimeError("bug")])
def test_failed_save_keeps_the_previous_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    path = tmp_path / "lesson.nnviz"
    save(path, Session.from_network(Network([2, 2, 1])))
    before = path.read_bytes()
    calls = []
    real = archive.write_npy

    def failing(zf: zipfile.ZipFile, member: str, arr: np.ndarray) -> None:
        calls.append(member)
        if len(calls) == 3:  # part of the new file is already written
            raise error
        real(zf, member, arr)

    monkeypatch.setattr(archive, "write_npy", failing)
    with pytest.raises(SessionError, match=r"^lesson.nnviz: cannot save: ") as info:
        save(path, trained_session())
    assert info.value.__cause__ is error
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["lesson.nnviz"]


def test_failed_rename_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "lesson.nnviz"
    save(path, Session.from_network(Network([2, 2, 1])))
    before = path.read_bytes()

    def refuse(src: Any, dst: Any) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(archive.os, "replace", refuse)
    with pytest.raises(SessionError, match="cannot save: Permission denied"):
        save(path, trained_session())
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["lesson.nnviz"]


def test_save_syncs_before_renaming(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(archive.os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd)))
    monkeypatch.setattr(
        archive.os, "replace", lambda a, b: (events.append("replace"), real_replace(a, b))
    )
    save(tmp_path / "s.nnviz", trained_session())
    assert events[:2] == ["fsync", "replace"]
    assert load(tmp_path / "s.nnviz") == trained_session()


def test_save_replaces_existing_file_keeping_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "lesson.nnviz"
    save(path, Session.from_network(Network([2, 2, 1])))
    os.chmod(path, 0o640)
    save(path, trained_session())
    assert path.stat().st_mode & 0o777 == 0o640
    assert load(path) == trained_session()


def test_save_through_a_symlink_writes_the_target(tmp_path: Path) -> None:
    real = tmp_path / "real.nnviz"
    save(real, Session.from_network(Network([2, 2, 1])))
    link = tmp_path / "link.nnviz"
    link.symlink_to(real)
    save(link, trained_session())
    assert link.is_symlink() and load(real) == trained_session()


def test_save_into_a_missing_folder_is_a_session_error(tmp_path: Path) -> None:
    with pytest.raises(SessionError, match="cannot save"):
        save(tmp_path / "no" / "such" / "x.nnviz", trained_session())
