"""skyshield.common.files: a file (or a folder) is whole or absent, a failed write leaves the old
file as it was and no temporary file behind; skyshield.common.naming: the default folder names."""

import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from skyshield.common import files
from skyshield.common.files import (
    append_lines,
    atomic_folder,
    atomic_write,
    atomic_write_bytes,
    atomic_write_parquet,
    atomic_write_text,
    remove_partials,
)
from skyshield.common.naming import default_run_dir, timestamp


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def _umask() -> int:
    m = os.umask(0)
    os.umask(m)
    return m


def test_text_and_bytes_are_written_whole_with_an_ordinary_mode(tmp_path):
    p = tmp_path / "a.txt"
    assert atomic_write_text(p, "héllo\nworld\n") == p
    assert p.read_bytes() == "héllo\nworld\n".encode()
    assert _mode(p) == 0o666 & ~_umask()  # not mkstemp's 0600
    atomic_write_bytes(p, b"\x00\x01")  # replaces
    assert p.read_bytes() == b"\x00\x01"
    atomic_write_text(p, "é", encoding="latin-1")
    assert p.read_bytes() == b"\xe9"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["a.txt"]


def test_parquet_from_a_frame_or_a_table_without_pandas_metadata(tmp_path):
    df = pd.DataFrame({"t_s": [0.5, 1.5], "kind": ["launch", "hit"]}, index=[7, 9])
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    atomic_write_parquet(a, df)
    atomic_write_parquet(b, pa.Table.from_pandas(df, preserve_index=False))
    assert a.read_bytes() == b.read_bytes()  # same data, same bytes
    back = pq.read_table(a)
    assert back.schema.metadata is None
    assert back.column_names == ["t_s", "kind"]  # the index is dropped
    pd.testing.assert_frame_equal(back.to_pandas(), df.reset_index(drop=True))
    c = tmp_path / "c.parquet"
    atomic_write_parquet(c, df, metadata={"k": "v"}, compression="snappy")
    assert pq.read_table(c).schema.metadata == {b"k": b"v"}
    assert pq.ParquetFile(c).metadata.row_group(0).column(0).compression == "SNAPPY"
    assert pq.ParquetFile(a).metadata.row_group(0).column(0).compression == "ZSTD"


def _left(tmp_path: Path) -> list[str]:
    return sorted(x.name for x in tmp_path.iterdir())


def test_a_writer_that_fails_leaves_the_old_file_and_no_temporary(tmp_path):
    p = tmp_path / "table.npz"
    p.write_bytes(b"old")

    def half(f):
        f.write(b"new, half written")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        atomic_write(p, half)
    assert p.read_bytes() == b"old"
    assert _left(tmp_path) == ["table.npz"]
    # a frame pyarrow cannot convert: refused before anything replaces the old file
    with pytest.raises(pa.ArrowException):
        atomic_write_parquet(p, pd.DataFrame({"x": [1, "a"]}))
    assert p.read_bytes() == b"old" and _left(tmp_path) == ["table.npz"]
    # Ctrl-C in the middle of a write is no different
    def interrupted(f):
        f.write(b"x")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(p, interrupted)
    assert p.read_bytes() == b"old" and _left(tmp_path) == ["table.npz"]


def test_a_rename_that_fails_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    p = tmp_path / "summary.json"
    p.write_text("{}")

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", refuse)
    with pytest.raises(OSError, match="No space"):
        atomic_write_text(p, '{"a": 1}')
    assert p.read_text() == "{}" and _left(tmp_path) == ["summary.json"]


def test_a_missing_folder_is_an_error_not_a_stray_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        atomic_write_text(tmp_path / "nope" / "a.txt", "x")
    assert _left(tmp_path) == []


def test_a_killed_writer_leaves_the_old_file_whole_and_a_partial_that_can_be_cleared(tmp_path):
    p = tmp_path / "events.parquet"
    p.write_bytes(b"old")
    code = ("import os, sys\n"
            "from skyshield.common.files import atomic_write\n"
            "def die(f):\n"
            "    f.write(b'new' * 1000); f.flush(); os._exit(9)\n"
            "atomic_write(sys.argv[1], die)\n")
    r = subprocess.run([sys.executable, "-c", code, str(p)], timeout=120)
    assert r.returncode == 9
    assert p.read_bytes() == b"old"
    left = [x for x in _left(tmp_path) if x != "events.parquet"]
    assert len(left) == 1 and left[0].startswith(".events.parquet.") and left[0].endswith(
        ".partial")
    remove_partials(tmp_path)
    assert _left(tmp_path) == ["events.parquet"]


def test_the_common_package_imports_nothing_from_skyshield():
    code = ("import sys, skyshield.common.files, skyshield.common.naming\n"
            "print(sorted(m for m in sys.modules if m.startswith('skyshield')))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    # the package itself (lazy: it imports only its version) and the common modules
    assert r.stdout.strip() == str(["skyshield", "skyshield._version", "skyshield.common",
                                    "skyshield.common.files", "skyshield.common.naming"])


def test_a_folder_appears_whole_or_not_at_all(tmp_path):
    dest = tmp_path / "runs" / "r1"
    with atomic_folder(dest) as tmp:
        assert tmp.parent == dest.parent and tmp.name.endswith(".partial")
        (tmp / "a.txt").write_text("a")
        (tmp / "sub").mkdir()
        (tmp / "sub" / "b.txt").write_text("b")
        assert not dest.exists()
    assert (dest / "a.txt").read_text() == "a" and (dest / "sub" / "b.txt").read_text() == "b"
    assert _mode(dest) == 0o777 & ~_umask()  # not mkdtemp's 0700
    assert _left(dest.parent) == ["r1"]

    with pytest.raises(RuntimeError), atomic_folder(tmp_path / "runs" / "r2") as tmp:
        (tmp / "a.txt").write_text("half")
        raise RuntimeError
    assert _left(dest.parent) == ["r1"]

    # a non-empty destination is replaced only when asked
    with pytest.raises(OSError), atomic_folder(dest) as tmp:
        (tmp / "c.txt").write_text("c")
    assert _left(dest) == ["a.txt", "sub"] and _left(dest.parent) == ["r1"]
    with atomic_folder(dest, overwrite=True) as tmp:
        (tmp / "c.txt").write_text("c")
    assert _left(dest) == ["c.txt"] and _left(dest.parent) == ["r1"]
    # an empty one is replaced in any case
    (tmp_path / "empty").mkdir()
    with atomic_folder(tmp_path / "empty") as tmp:
        (tmp / "d.txt").write_text("d")
    assert _left(tmp_path / "empty") == ["d.txt"]


def test_append_lines_appends_whole_lines(tmp_path):
    p = tmp_path / "commands.jsonl"
    append_lines(p, ['{"a":1}'])
    append_lines(p, [])  # nothing to write: the file is not even touched
    append_lines(p, ['{"b":2}', '{"c":3}'], sync=False)
    assert p.read_text() == '{"a":1}\n{"b":2}\n{"c":3}\n'
    append_lines(tmp_path / "none.jsonl", [])
    assert not (tmp_path / "none.jsonl").exists()


def test_default_folder_names():
    now = datetime(2026, 12, 7, 3, 4, 5, tzinfo=UTC)
    assert timestamp(now) == "20261207T030405Z"
    # another zone: the same instant, written in UTC
    assert timestamp(now.astimezone(timezone(timedelta(hours=2)))) == "20261207T030405Z"
    assert default_run_dir("run", "slavic", now, seed=7) == Path("runs/slavic-7-20261207T030405Z")
    assert default_run_dir("montecarlo", "slavic", now) == Path(
        "studies/slavic-mc-20261207T030405Z")
    assert default_run_dir("sweep", "slavic", now) == Path(
        "studies/slavic-sweep-20261207T030405Z")
    assert default_run_dir("live", "slavic", now) == Path("live/slavic-20261207T030405Z")
    with pytest.raises(ValueError, match="seed"):
        default_run_dir("run", "slavic", now)
    with pytest.raises(ValueError, match="unknown folder kind"):
        default_run_dir("study", "slavic", now)
    # issue 20: a scenario named "../../../escaped" wrote its run folder outside runs/
    for name, want in (("../../../escaped", "escaped"), ("Slavic Shield 2019",
                                                         "Slavic_Shield_2019"),
                       ("Бранко", "Бранко"), ("/abs/x", "abs_x"), ("..", "scenario")):
        d = default_run_dir("run", name, now, seed=1)
        assert d == Path(f"runs/{want}-1-20261207T030405Z")
        assert d.resolve().parent == Path("runs").resolve()
    stamp = default_run_dir("live", "x").name.removeprefix("x-")
    assert len(stamp) == 16 and stamp.endswith("Z")
