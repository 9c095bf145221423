"""The `familycard` command and an ordinary mistake: one line on stderr saying what and where,
exit code 2, no traceback, no secret; a store another process holds: one line naming it, exit 3."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from cli.test_main import run
from familycard import cli
from familycard.cli import population
from familycard.graph.flow.worklist import REASONS
from familycard.schema.iin import IINError, parse_iin
from feedmaker import lines, link, person

SECRET = "do-not-show-me-0123456789-abcdefghij"


def _err(r: subprocess.CompletedProcess) -> str:
    err = r.stderr.decode()
    assert "Traceback" not in err, err
    return err


def _one_line(r: subprocess.CompletedProcess, code: int = 2) -> str:
    err = _err(r)
    assert r.returncode == code, err
    assert len(err.splitlines()) == 1 and err.endswith("\n"), err
    return err.rstrip("\n")


def test_ingest_of_a_missing_path_or_a_folder_is_a_mistake_named_in_one_line(tmp_path):
    missing = tmp_path / "changes.jsonl"
    assert _one_line(run(["ingest", str(missing)], tmp_path)) == f"familycard ingest: '{missing}': no such file"
    assert _one_line(run(["ingest", str(tmp_path)], tmp_path)) == (
        f"familycard ingest: '{tmp_path}': is a folder; give the feed file (JSONL) in it")
    assert not (tmp_path / "data").exists()  # told before the store was opened (or made)


def test_an_invalid_choice_lists_the_valid_ones(tmp_path):
    line = _one_line(run(["worklist", "--reason", "phone"], tmp_path))
    assert line == ("familycard worklist: argument --reason: invalid choice: 'phone' (choose from "
                    + ", ".join(f"'{r}'" for r in REASONS) + ") (see familycard worklist --help)")


@pytest.mark.parametrize("command", [["card"], ["explain"], ["history"]])
@pytest.mark.parametrize("iin", ["12345", "870101300018", "8701013000１9", "871301300019"])
def test_a_malformed_iin_is_refused_with_the_feeds_own_words(tmp_path, command, iin):
    with pytest.raises(IINError) as feed:  # what the feed says of the same IIN
        parse_iin(iin)
    line = _one_line(run([*command, iin], tmp_path))
    assert line == f"familycard {command[0]}: argument iin: {feed.value} (see familycard {command[0]} --help)"
    assert line.startswith(f"familycard {command[0]}: argument iin: IIN '{iin}': ")


def test_a_malformed_iin_in_words(tmp_path):
    assert _one_line(run(["card", "12345"], tmp_path)) == (
        "familycard card: argument iin: IIN '12345': must be 12 digits, got 5 characters (see familycard card --help)")


@pytest.mark.parametrize("value, expected", [
    ("{portal: 1", "FAMILYCARD_API_KEYS: not valid JSON (Expecting property name enclosed in double quotes: "
                   "line 1 column 2 (char 1))"),
    (json.dumps({"portal": {"role": "boss", "key": SECRET}}),
     "FAMILYCARD_API_KEYS: portal.role: Input should be 'frontend', 'caseworker', 'auditor' or 'admin'"),
    ('{"portal": {"role": "admin"}}', "FAMILYCARD_API_KEYS: portal.key: Field required"),
    (json.dumps([SECRET]), "FAMILYCARD_API_KEYS: Input should be a valid dictionary"),
])
def test_malformed_api_keys_are_named_and_their_keys_never_shown(tmp_path, value, expected):
    r = run(["stats"], tmp_path, FAMILYCARD_API_KEYS=value)
    assert _one_line(r) == f"familycard: {expected}"
    assert SECRET not in r.stderr.decode() and SECRET not in r.stdout.decode()


def test_a_bad_secret_is_named_but_its_value_never_echoed(tmp_path):
    short = "tooShortForHS256-x"
    r = run(["stats"], tmp_path, FAMILYCARD_JWT_SECRET=short)
    assert _one_line(r) == "familycard: FAMILYCARD_JWT_SECRET: an HS256 key needs at least 32 bytes (RFC 7518 3.2)"
    assert short not in r.stderr.decode()


@pytest.mark.parametrize("field", ["jwt_secret", "webhook_token", "sms_token", "neo4j_password", "id_secret"])
def test_no_secret_setting_echoes_its_value(field):
    from familycard import settings as config

    assert field in config.SECRETS
    with pytest.raises(config.SettingsInvalid) as e:  # a value of the wrong type: pydantic quotes it
        config.load(_env_file=None, **{field: {"x": SECRET}})
    assert e.value.lines == [f"FAMILYCARD_{field.upper()}: Input should be a valid string"]
    assert SECRET not in str(e.value)


def test_a_non_secret_value_is_echoed_to_show_what_was_read(tmp_path):
    r = run(["stats"], tmp_path, FAMILYCARD_MAX_PAGE="lots")
    assert _one_line(r) == ("familycard: FAMILYCARD_MAX_PAGE='lots': Input should be a valid integer, unable to "
                            "parse string as an integer")


def test_a_neo4j_memory_size_must_be_a_size_the_jvm_takes(tmp_path):
    from familycard import settings as config

    assert config.load(_env_file=None, neo4j_heap="4g", neo4j_pagecache="12G").neo4j_pagecache == "12G"
    r = run(["stats"], tmp_path, FAMILYCARD_NEO4J_PAGECACHE="8 GB")
    assert _one_line(r).startswith("familycard: FAMILYCARD_NEO4J_PAGECACHE='8 GB': String should match pattern")
    # They go onto the JVM's command line: nothing but digits and a unit gets there.
    for hostile in ("4g\n", "4g -XX:+UnlockDiagnosticVMOptions", "４g", "0g", "1234567g", ""):
        with pytest.raises(config.SettingsInvalid) as e:
            config.load(_env_file=None, neo4j_heap=hostile)
        assert e.value.lines == [f"FAMILYCARD_NEO4J_HEAP={hostile!r}: String should match pattern "
                                 "'^[1-9][0-9]{0,5}[kmgKMG]$'"]


def test_a_misspelt_setting_is_warned_about_with_the_name_meant(tmp_path):
    (tmp_path / ".env").write_text(f"FAMILYCARD_JWT_SECRETS={SECRET}\n", encoding="utf-8")
    r = run(["stats"], tmp_path, FAMILYCARD_DATADIR=str(tmp_path / "elsewhere"), FAMILYCARD_COLOUR="1")
    assert r.returncode == 0, r.stderr
    assert _err(r).splitlines() == [
        "familycard: warning: FAMILYCARD_COLOUR is not a familycard setting and is ignored",
        "familycard: warning: FAMILYCARD_DATADIR is not a familycard setting and is ignored "
        "(did you mean FAMILYCARD_DATA_DIR?)",
        "familycard: warning: FAMILYCARD_JWT_SECRETS is not a familycard setting and is ignored "
        "(did you mean FAMILYCARD_JWT_SECRET?)",
    ]
    assert SECRET not in r.stderr.decode()
    assert "Person" in r.stdout.decode()  # and the command ran, with the default it was given
    (tmp_path / ".env").unlink()
    r = run(["stats"], tmp_path, familycard_data_dir=str(tmp_path / "data"))  # case does not matter to pydantic
    assert r.returncode == 0 and r.stderr == b""


def test_a_data_folder_that_cannot_be_written_is_named(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    r = run(["stats"], tmp_path, FAMILYCARD_DATA_DIR=str(blocker))
    assert _one_line(r) == (f"familycard: data folder {blocker}: is a file, not a folder; "
                            "set FAMILYCARD_DATA_DIR to a folder this user can write")
    r = run(["card", "870101300019"], tmp_path, FAMILYCARD_DATA_DIR=str(blocker / "graph"))
    assert _one_line(r) == (f"familycard: data folder {blocker / 'graph'}: Not a directory; "
                            "set FAMILYCARD_DATA_DIR to a folder this user can write")
    r = run(["demo", "--people", "10"], tmp_path, FAMILYCARD_DATA_DIR=str(blocker))
    assert _one_line(r) == f"familycard demo: '{blocker}': is a file, not a folder"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_a_read_only_data_folder_is_named(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        r = run(["stats"], tmp_path, FAMILYCARD_DATA_DIR=str(locked / "data"))
    finally:
        locked.chmod(0o700)
    assert _one_line(r) == (f"familycard: data folder {locked / 'data'}: Permission denied; "
                            "set FAMILYCARD_DATA_DIR to a folder this user can write")


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path):
    """`familycard generate -o - | head`: no BrokenPipeError, no word, the status a shell gives
    `cat` there (128 + SIGPIPE)."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("FAMILYCARD_")}
    p = subprocess.Popen([sys.executable, "-m", "familycard.cli", "generate", "--people", "3000", "-o", "-"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e, cwd=tmp_path)
    first = p.stdout.readline()
    p.stdout.close()  # what `head -1` does after its line
    assert p.wait(timeout=120) == 128 + signal.SIGPIPE
    assert first.startswith(b'{"kind":') and p.stderr.read() == b""
    # the same through a shell, as a user types it
    r = subprocess.run(["bash", "-c", f"set -o pipefail; '{sys.executable}' -m familycard.cli generate "
                                      "--people 3000 -o - | head -c 20"], capture_output=True, env=e, cwd=tmp_path)
    assert r.returncode == 128 + signal.SIGPIPE and len(r.stdout) == 20 and r.stderr == b""


def test_an_unexpected_error_is_one_line_and_the_trace_is_there_with_debug(tmp_path, monkeypatch, capsys):
    for k in list(os.environ):
        if k.startswith("FAMILYCARD_"):
            monkeypatch.delenv(k)
    monkeypatch.setenv("FAMILYCARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)

    def broken(args, settings):
        raise RuntimeError("no row for 870101300019 'Серікова'\nsecond line")

    monkeypatch.setattr(population, "cmd_stats", broken)
    assert cli.main(["stats"]) == 1
    err = capsys.readouterr().err
    # the values it quotes (an IIN, a name) are not repeated: they may be someone's
    assert err == "familycard stats: unexpected error: RuntimeError: no row for … … (run with --debug for the trace)\n"
    with pytest.raises(RuntimeError, match='no row for 870101300019'):
        cli.main(["--debug", "stats"])
    with pytest.raises(RuntimeError, match='no row for 870101300019'):
        cli.main(["stats", "--debug"])


# --- the store held by another process (point 13) ------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_owner(data_dir, pid: int, proc: subprocess.Popen) -> None:
    import json

    owner = data_dir / "graph.lbug.owner"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        try:
            if json.loads(owner.read_text(encoding="utf-8"))["pid"] == pid:
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.1)
    raise AssertionError("the holder never opened the store")


def _stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _env(tmp_path) -> dict:
    e = {k: v for k, v in os.environ.items() if not k.startswith("FAMILYCARD_")}
    e["FAMILYCARD_DATA_DIR"] = str(tmp_path / "data")
    return e


def test_a_command_run_while_serve_holds_the_store_says_who_and_what_to_do(tmp_path):
    mother, child = person("1985-03-04", "F", address_id="A1"), person("2015-01-01", "M", address_id="A1")
    (tmp_path / "feed.jsonl").write_bytes(b"".join(lines(mother, child, link("PARENT_OF", mother, child))))
    assert run(["ingest", "feed.jsonl"], tmp_path).returncode == 0
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "familycard.cli", "serve", "--port", str(port),
                               "--no-access-log"], env=_env(tmp_path), cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for_owner(tmp_path / "data", server.pid, server)
        host = socket.gethostname()
        for command in (["card", mother["iin"]], ["history", mother["iin"]], ["sweep", "--dry-run"],
                        ["sweep"], ["ingest", "feed.jsonl"], ["serve", "--port", str(_free_port())]):
            line = _one_line(run(command, tmp_path), code=3)
            assert line.startswith(f"familycard {command[0]}: LadybugDB at {tmp_path / 'data'} is in use by "
                                   f"'familycard serve --port {port} --no-access-log' since "), line
            assert line.endswith(
                f" on host {host}, pid {server.pid}; one process at a time can open it: stop that server first "
                f"(Ctrl-C where it runs, or kill {server.pid}) or use its GraphQL API; for a store several "
                "processes share, use Neo4j (FAMILYCARD_STORE=neo4j)"), line
    finally:
        _stop(server)
    r = run(["card", mother["iin"], "--today", "2026-11-25"], tmp_path)  # free again once it stopped
    assert r.returncode == 0 and f"[{mother['iin']}]" in r.stdout.decode(), r.stderr


def test_a_command_run_while_another_job_holds_the_store_is_told_to_wait(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; sys.argv = ['familycard', 'ingest', 'big.jsonl']; "
                               "from familycard.graph.store.ladybug import LadybugStore; "
                               f"s = LadybugStore({str(tmp_path / 'data')!r}); print('open', flush=True); "
                               "time.sleep(float(sys.stdin.readline())); s.close()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    try:
        assert holder.stdout.readline() == b"open\n", holder.stderr.read()
        line = _one_line(run(["sweep", "--as-of", "2026-11-25"], tmp_path), code=3)
        assert "is in use by 'familycard ingest big.jsonl' since " in line and f"pid {holder.pid}; " in line
        assert line.endswith("one process at a time can open it: wait for it to finish "
                             "(or rerun with --wait SECONDS)"), line
        assert _one_line(run(["stats"], tmp_path), code=3).endswith("wait for it to finish")  # stats has no --wait
        holder.stdin.write(b"2\n")
        holder.stdin.flush()
        r = run(["sweep", "--as-of", "2026-11-25", "--wait", "60"], tmp_path)  # waits for its turn
        assert r.returncode == 0, r.stderr
    finally:
        holder.kill()
        holder.wait()


def test_a_buffer_pool_too_small_names_the_setting(tmp_path, capsys):
    """LadybugDB's own words name neither the setting nor the size (a 256m pool sweeping 100 k
    people): the user is told which setting to raise, as a configuration mistake (exit 2)."""
    import argparse

    from familycard import settings as config
    from familycard.cli._errors import run_command

    def full(args, settings):
        raise RuntimeError("Buffer manager exception: Unable to allocate memory! The buffer pool is full and no "
                           "memory could be freed!")

    args = argparse.Namespace(command="sweep", fn=full, debug=False)
    settings = config.load(_env_file=None, data_dir=tmp_path, ladybug_buffer_pool="256m")
    assert run_command(args, settings) == 2
    assert capsys.readouterr().err == ("familycard sweep: the embedded store's buffer pool (256m) is too small for "
                                       "this work: give it more with FAMILYCARD_LADYBUG_BUFFER_POOL (e.g. 2g)\n")
    r = run(["stats"], tmp_path, FAMILYCARD_LADYBUG_BUFFER_POOL="2 GB")
    assert _one_line(r).startswith("familycard: FAMILYCARD_LADYBUG_BUFFER_POOL='2 GB': String should match pattern")
