"""Files written whole or not at all, and journals appended to line by line.

Every writer here writes through a temporary file beside the destination (same folder, so the
rename cannot cross a file system), named ``.NAME.XXXXXXXX.partial``; flushes and fsyncs it;
gives it the mode an ordinary file gets (``0o666`` less the umask); and renames it over the
destination with :func:`os.replace`. A reader therefore sees the old file or the whole new one,
never a part, and a write that fails (an exception, a full disk, Ctrl-C) leaves the old file as
it was and no temporary file behind. A process killed outright can leave a hidden ``.partial``
file, never a damaged destination; :func:`remove_partials` clears them.

:func:`atomic_folder` does the same for a folder: it is filled under a temporary name and renamed
into place when complete, so an interrupted writer never leaves a folder that looks complete.

This module imports nothing from skyshield (it is the bottom layer); pyarrow is imported only by
:func:`atomic_write_parquet`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = ["PARTIAL_SUFFIX", "append_lines", "atomic_folder", "atomic_write",
           "atomic_write_bytes", "atomic_write_parquet", "atomic_write_text", "file_mode",
           "remove_partials"]

PARTIAL_SUFFIX = ".partial"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def file_mode(folder: bool = False) -> int:
    """The mode a new ordinary file (or folder) gets under the current umask."""
    return (0o777 if folder else 0o666) & ~_umask()


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: str | Path, write: Callable[[IO[bytes]], object]) -> Path:
    """Write ``path`` whole or not at all: ``write(f)`` writes the content to ``f``, a binary
    file open on a temporary file beside ``path`` (module docstring). Returns ``path``."""
    path = Path(path)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=PARTIAL_SUFFIX)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, file_mode())  # mkstemp makes 0600
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)
    return path


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` whole or not at all."""
    return atomic_write(path, lambda f: f.write(data))


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` whole or not at all (bytes as written: no newline
    translation)."""
    return atomic_write_bytes(path, text.encode(encoding))


def atomic_write_parquet(path: str | Path, table_or_frame: Any, *,
                         metadata: dict[str, str] | None = None,
                         compression: str = "zstd") -> Path:
    """Write a pyarrow Table or a pandas DataFrame (its index dropped) as Parquet, whole or not
    at all. The schema metadata is replaced by ``metadata`` (none by default: no pandas or
    writer-specific metadata, so the same data gives the same bytes)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = table_or_frame
    if not isinstance(table, pa.Table):
        table = pa.Table.from_pandas(table, preserve_index=False)
    table = table.replace_schema_metadata(metadata)
    return atomic_write(path, lambda f: pq.write_table(table, f, compression=compression))


def append_lines(path: str | Path, lines: Iterable[str], sync: bool = True) -> None:
    """Append ``lines`` (each without its newline) to the text file ``path`` in one write,
    flushed and, with ``sync``, fsynced: a journal whose last line is whole once this returns
    (a crash during the write can tear only the last line)."""
    text = "".join(line + "\n" for line in lines)
    if not text:
        return
    with Path(path).open("a", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        if sync:
            os.fsync(f.fileno())


@contextmanager
def atomic_folder(dest: str | Path, overwrite: bool = False) -> Iterator[Path]:
    """Fill a folder under a temporary name beside ``dest`` (the yielded path) and rename it to
    ``dest`` when the block ends without an error; on an error the temporary folder is removed
    and ``dest`` is untouched. An empty ``dest`` is replaced; a non-empty one only with
    ``overwrite`` (else the rename fails with an OSError). Every file in the folder is fsynced
    before the rename; the folder gets an ordinary folder's mode (not mkdtemp's 0700)."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}.",
                                suffix=PARTIAL_SUFFIX))
    try:
        yield tmp
        for p in tmp.rglob("*"):
            if p.is_file():
                with p.open("rb") as f:
                    os.fsync(f.fileno())
        os.chmod(tmp, file_mode(folder=True))
        if overwrite and dest.exists() and any(dest.iterdir()):
            shutil.rmtree(dest)
        os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _fsync_dir(dest.parent)


def remove_partials(folder: str | Path) -> None:
    """Remove the temporary files a killed writer left in ``folder`` (``.*.partial``)."""
    for stale in Path(folder).glob(f".*{PARTIAL_SUFFIX}"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)
