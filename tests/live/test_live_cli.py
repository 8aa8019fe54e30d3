"""`skyshield serve` refusals: every option checked before anything is created, one line,
exit status 2, no traceback; and the run folder of an exercise ended early."""

import json
import signal
import socket
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

pytest.importorskip("fastapi")

from skyshield.cli import app  # noqa: E402

SMALL = Path(__file__).resolve().parents[1] / "data" / "aar_small.yaml"
TOK = "c0ntroller-token-for-the-test"


def _serve(*args):
    r = CliRunner().invoke(app, ["serve", *map(str, args)])
    return r.exit_code, r.stderr, r.exception


def _refused(code, err, exc, *words):
    assert code == 2 and isinstance(exc, SystemExit), (code, err, exc)
    lines = err.strip().splitlines()
    assert len(lines) == 1, lines  # one line: no stray "2", no traceback
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


def test_a_missing_tokens_file_is_named_and_nothing_is_created(tmp_path):
    out = tmp_path / "ex"
    _refused(*_serve(SMALL, "--out", out, "--tokens", tmp_path / "nonexist.txt",
                     "--port", "1"), "nonexist.txt", "no such tokens file")
    assert not out.exists()


@pytest.mark.parametrize(("text", "words"), [
    (f"controller: ab:{TOK}\n", ("line", ":1", "may not contain ':'")),
    (f"controller: {TOK}\nobserver: {TOK}\n", (":2", "controller", "observer", "same token")),
    (f"operator:kub: {TOK}\noperator:pantsir: {TOK}\n",
     ("operator:kub", "operator:pantsir")),
])
def test_bad_tokens_files_are_refused_with_the_reason(tmp_path, text, words):
    tokens = tmp_path / "tokens.txt"
    tokens.write_text(text)
    out = tmp_path / "ex"
    _refused(*_serve(SMALL, "--out", out, "--tokens", tokens), *words[1:])
    assert not out.exists()  # the next start with the same --out is not told to resume


def test_a_token_with_its_role_is_still_read(tmp_path):
    from skyshield.web.live import Roles

    tokens = tmp_path / "tokens.txt"
    tokens.write_text(f"controller: {TOK}\noperator:kub: {TOK}x\n")
    roles = Roles.from_file(tokens, ["kub", "pantsir"])
    assert roles.role(TOK) == "controller" and roles.role(TOK + "x") == "operator:kub"


@pytest.mark.parametrize(("option", "value"), [("--dis", "bogus"), ("--dis-listen", "99999"),
                                               ("--dis", "host:0")])
def test_bad_dis_options_are_one_line_and_create_nothing(tmp_path, option, value):
    out = tmp_path / "ex"
    line = _refused(*_serve(SMALL, "--out", out, option, value), option)
    assert line != "2"
    assert not out.exists()
    out.mkdir()
    _refused(*_serve(SMALL, "--out", out, option, value), option)
    assert out.exists() and not any(out.iterdir())  # an empty --out stays empty


def test_a_port_in_use_leaves_no_exercise_folder(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        out = tmp_path / "ex"
        _refused(*_serve(SMALL, "--out", out, "--port", port), "cannot listen")
    assert not out.exists()


@pytest.mark.parametrize("meta", ["not json", '{"seed":"x","approval":5}', "[1]",
                                  '{"seed":3,"approval":5}', '{"seed":true}',
                                  '{"seed":3,"approval":[0,true]}'])
def test_a_damaged_live_json_is_refused_on_resume(tmp_path, meta):
    folder = tmp_path / "ex"
    folder.mkdir()
    (folder / "live.json").write_text(meta)
    _refused(*_serve("--resume", folder), "live.json")


def test_an_exercise_ended_early_says_so_in_its_run_folder(tmp_path, served):
    """Ended by the controller at T+t: the run folder's summary says the exercise ran to t
    (not the scenario's duration) and the wall time it took (not 0)."""
    folder = tmp_path / "x"
    tokens = tmp_path / "tokens.txt"
    tokens.write_text(f"controller: {TOK}\n")
    port = served.free_port()
    p = served.start([SMALL, "--out", folder, "--speed", "10", "--tokens", tokens], port)
    try:
        time.sleep(0.5)
        end = served.post(port, TOK, {"cmd": "end"})
    finally:
        p.send_signal(signal.SIGINT)
        _, err = p.communicate()
    assert p.returncode == 0, err.decode()
    summary = json.loads((folder / "run" / "summary.json").read_text())
    assert summary["sim_duration_s"] == pytest.approx(end["t_s"])
    assert 0 < end["t_s"] < 150.0
    manifest = json.loads((folder / "run" / "manifest.json").read_text())
    assert summary["wall_time_s"] > 0 and manifest["wall_time_s"] > 0
