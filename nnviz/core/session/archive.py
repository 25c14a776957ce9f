"""The container: a ZIP of `session.json` and `.npy` members, written atomically and read
without trusting any size, header or byte of it (see README, "The `.nnviz` session file").
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import secrets
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import numpy as np

from nnviz.core.session.format import (
    JSON_MEMBER,
    MAX_ARRAY_BYTES_TOTAL,
    MAX_JSON_BYTES,
    MAX_NPY_HEADER,
    ZIP_TIME,
    SessionError,
)
from nnviz.core.session.values import get_field, type_name

# ---------------------------------------------------------------------------------------------
# Writing


def write_atomically(target: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write a temporary file next to `target` with `write`, fsync it and rename it over
    `target`. On any failure the previous file is untouched and the temporary file removed.
    Hidden temporary files of the same name that a killed save left behind are removed too."""
    tmp: Path | None = None
    try:
        fd, tmp = _create_temp(target)
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o7777)
        os.replace(tmp, target)
        tmp = None
        _fsync_dir(target.parent)
        _remove_stale_temps(target)
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


#: A temporary file untouched this long is not being written by a save in progress.
STALE_TEMP_SECONDS = 10.0


def _remove_stale_temps(target: Path) -> None:
    """Delete `.<name>.<8 hex>.tmp` files (what _create_temp makes for this name) that no save
    has written to for STALE_TEMP_SECONDS: what a killed save left behind."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.[0-9a-f]{{8}}\.tmp")
    now = time.time()
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in entries:
        if not pattern.fullmatch(entry.name):
            continue
        try:
            if now - entry.stat(follow_symlinks=False).st_mtime > STALE_TEMP_SECONDS:
                os.unlink(entry.path)
        except OSError:
            pass  # gone already, or not ours to remove


def _create_temp(target: Path) -> tuple[int, Path]:
    # Like mkstemp, but with mode 0o666 so the umask applies as for any new file.
    for _ in range(100):
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue
    raise OSError(f"cannot create a temporary file next to {target}")


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not possible on every platform, and not needed for safety.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_zip(f: IO[bytes], text: bytes, arrays: dict[str, np.ndarray]) -> None:
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(_zip_info(JSON_MEMBER), text)
        for member, arr in arrays.items():
            write_npy(zf, member, arr)


def _zip_info(member: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(member, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def write_npy(zf: zipfile.ZipFile, member: str, arr: np.ndarray) -> None:
    arr = np.ascontiguousarray(arr)
    with zf.open(_zip_info(member), "w", force_zip64=arr.nbytes > 2**30) as f:
        np.lib.format.write_array(f, arr, version=(1, 0), allow_pickle=False)


# ---------------------------------------------------------------------------------------------
# Reading


@contextmanager
def open_zip(path: str | os.PathLike[str]) -> Iterator[zipfile.ZipFile]:
    """The archive at `path`, once it is known to be a non-empty ZIP (SessionError if not)."""
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        if f.tell() == 0:
            raise SessionError("the file is empty")
        f.seek(0)
        if f.read(4) not in (b"PK\x03\x04", b"PK\x05\x06"):
            raise SessionError(
                "not an nnviz session file (it is not a ZIP archive; "
                "session files are ZIPs holding session.json)"
            )
        f.seek(0)
        try:
            zf = zipfile.ZipFile(f)
        except zipfile.BadZipFile as exc:
            raise SessionError(f"the file is truncated or corrupted ({exc})") from exc
        with zf:
            yield zf


def _reject_constant(token: str) -> None:
    raise SessionError(f"session.json contains {token}, which is not a JSON number")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise SessionError(f"session.json has the key {k!r} twice in one object")
        out[k] = v
    return out


def read_json(zf: zipfile.ZipFile) -> dict[str, Any]:
    try:
        info = zf.getinfo(JSON_MEMBER)
    except KeyError:
        raise SessionError(
            "not an nnviz session file (the archive has no session.json)"
        ) from None
    if info.file_size > MAX_JSON_BYTES:
        raise SessionError(
            f"session.json is {info.file_size:,} bytes, more than the {MAX_JSON_BYTES:,} allowed"
        )
    raw = _read_member(zf, info, info.file_size)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SessionError(f"session.json is not UTF-8 text (byte {exc.start})") from None
    try:
        doc = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise SessionError(
            f"session.json is not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise SessionError("session.json is nested too deeply") from None
    if not isinstance(doc, dict):
        raise SessionError(f"session.json holds a {type_name(doc)}, expected an object")
    return doc


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    try:
        with zf.open(info) as f:
            data = f.read(limit + 1)
    except Exception as exc:  # BadZipFile (CRC), zlib.error, EOFError, encrypted members...
        raise SessionError(f"member {info.filename!r} is corrupted ({exc})") from exc
    if len(data) > limit:
        raise SessionError(f"member {info.filename!r} is larger than its declared size")
    return data


class ArrayPlan:
    """The arrays a file declares: shapes and sizes checked first, then all read at once."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str, tuple[int, ...]]] = []
        self.nbytes = 0

    def declare(
        self, ref: Any, where: str, expected: tuple[int | None, ...], limit: int, context: str
    ) -> None:
        if not isinstance(ref, dict):
            raise SessionError(
                f"{where} must be an array reference {{npy, shape}}, got {type_name(ref)}"
            )
        member = get_field(ref, "npy", where)
        if not isinstance(member, str):
            raise SessionError(f"{where}.npy must be a member name, got {member!r}")
        raw = get_field(ref, "shape", where)
        if not isinstance(raw, list) or not all(
            isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in raw
        ):
            raise SessionError(
                f"{where}.shape must be a list of whole numbers >= 0, got {raw!r}"
            )
        shape = tuple(raw)
        if len(shape) != len(expected) or any(
            e is not None and d != e for d, e in zip(shape, expected, strict=False)
        ):
            raise SessionError(
                f"{where} has shape {shape}, expected {_shape_text(expected)}{context}"
            )
        count = math.prod(shape)
        if count > limit:
            raise SessionError(f"{where} declares {count:,} values, more than {limit:,}")
        # 8 bytes: the largest item size _read_npy accepts.
        self.nbytes += count * 8
        if self.nbytes > MAX_ARRAY_BYTES_TOTAL:
            raise SessionError(
                f"{where}: the arrays declared so far need up to {self.nbytes:,} bytes, more "
                f"than the {MAX_ARRAY_BYTES_TOTAL:,} a session may hold"
            )
        self.items.append((where, member, shape))

    def read(self, zf: zipfile.ZipFile) -> dict[str, np.ndarray]:
        return {where: _read_npy(zf, member, shape, where) for where, member, shape in self.items}


def _read_npy(zf: zipfile.ZipFile, member: str, shape: tuple[int, ...], where: str) -> np.ndarray:
    """One `.npy` member of a declared shape: header checked, then its raw bytes copied."""
    try:
        info = zf.getinfo(member)
    except KeyError:
        raise SessionError(f"{where}: member {member!r} is missing from the archive") from None
    count = math.prod(shape)
    most = count * 8 + MAX_NPY_HEADER + 16
    if info.file_size > most:
        raise SessionError(
            f"{where}: member {member!r} is {info.file_size:,} bytes uncompressed, more than "
            f"shape {shape} can need (corrupted file or zip bomb)"
        )
    raw = _read_member(zf, info, info.file_size)
    buf = io.BytesIO(raw)
    try:
        version = np.lib.format.read_magic(buf)
        if version == (1, 0):
            hdr = np.lib.format.read_array_header_1_0(buf, max_header_size=MAX_NPY_HEADER)
        elif version == (2, 0):
            hdr = np.lib.format.read_array_header_2_0(buf, max_header_size=MAX_NPY_HEADER)
        else:
            raise SessionError(f"{where}: member {member!r} has .npy version {version}")
    except SessionError:
        raise
    except Exception as exc:
        raise SessionError(
            f"{where}: member {member!r} is not a valid .npy array ({exc})"
        ) from None
    npy_shape, fortran, dtype = hdr
    if dtype.hasobject or dtype.names is not None or dtype.subdtype is not None:
        raise SessionError(
            f"{where}: member {member!r} holds {dtype} data, not plain numbers "
            "(refused: object arrays would need pickle)"
        )
    if dtype.kind not in "iuf" or dtype.itemsize > 8:
        raise SessionError(f"{where}: member {member!r} holds {dtype} data, not plain numbers")
    if tuple(npy_shape) != shape:
        raise SessionError(
            f"{where}: member {member!r} has shape {tuple(npy_shape)} but session.json "
            f"declares {shape}"
        )
    nbytes = count * dtype.itemsize
    offset = buf.tell()
    have = len(raw) - offset
    if have < nbytes:
        raise SessionError(
            f"{where}: member {member!r} is truncated ({have:,} of {nbytes:,} data bytes)"
        )
    if have > nbytes:
        raise SessionError(f"{where}: member {member!r} has extra bytes after its data")
    flat = np.frombuffer(raw, dtype=dtype, count=count, offset=offset)  # a view, no copy yet
    arr = flat.reshape(shape[::-1]).T if fortran else flat.reshape(shape)
    return np.array(arr, dtype=dtype.newbyteorder("="), order="C", copy=True)


def _shape_text(shape: tuple[int | None, ...]) -> str:
    if all(d is not None for d in shape):
        return str(shape)
    return "(" + ", ".join("n" if d is None else str(d) for d in shape) + ")"
