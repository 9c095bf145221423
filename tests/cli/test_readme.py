"""The README's walk-through, run as written: every ```sh block, in order, in one bash session on
a fresh data folder (LadybugDB), as a newcomer would type it after `make demo`. A command that
exits non-zero fails the test, naming its README line; a ```text block right after a ```sh block
(prose between allowed) is that block's printed example, and each of its lines must match a
line the block really printed, numbers aside.

What is not run as written is listed here, and each rule must still meet a README line (a README
rewritten without it fails instead of being skipped quietly):
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
DEMO_PEOPLE = 300   # the demo's 5 000 people at test size: the whole walk-through then takes ~10 s

# (pattern, replacement, why): applied to every command line before it runs.
REWRITES = [
    (r"^make demo\b.*", f".venv/bin/familycard demo --people {DEMO_PEOPLE}",
     "what `make demo` runs once the venv is there, at test size and without --serve (which serves until Ctrl-C)"),
    (r"--people 5000\b", f"--people {DEMO_PEOPLE}", "the demo's population, at test size"),
]
# (pattern, why): command lines not run at all.
SKIPS = [
    (r"^make test\b", "the test suite itself"),
    (r"familycard serve\b", "serves until Ctrl-C (tests/cli/test_demo.py starts it and signs in)"),
    (r"\blocalhost:8000\b", "needs a running server"),
]


@dataclass
class Command:
    line: int        # the README line it starts on
    section: str     # the heading it is under
    block: int       # which ```sh block of the README (1-based)
    text: str        # as written (continuation lines joined)
    run: str | None  # as run, or None when skipped


@dataclass
class Example:
    line: int
    block: int       # the ```sh block it is the output of
    lines: list[str]


def parse(markdown: str) -> tuple[list[Command], list[Example]]:
    """The ```sh blocks' commands and the ```text examples that follow them."""
    commands: list[Command] = []
    examples: list[Example] = []
    section, block, fence, start, body = "", 0, None, 0, []
    last_fence = None  # the kind of the last closed block
    for n, raw in enumerate(markdown.splitlines(), 1):
        if fence is None:
            if raw.startswith("#"):
                section = raw.lstrip("#").strip()
            elif raw.startswith("```"):
                fence, start, body = raw[3:].strip(), n, []
            continue
        if raw.strip() != "```":
            body.append(raw)
            continue
        if fence == "sh":
            block += 1
            commands += _commands(body, start + 1, section, block)
        elif fence == "text" and last_fence == "sh":
            examples.append(Example(start, block, body))
        last_fence, fence = fence, None
    return commands, examples


def _commands(body: list[str], first: int, section: str, block: int) -> list[Command]:
    out: list[Command] = []
    pending: list[str] = []
    for i, ln in enumerate(body):
        if not pending and (not ln.strip() or ln.lstrip().startswith("#")):
            continue
        pending.append(ln)
        if ln.rstrip().endswith("\\"):
            continue
        text = "\n".join(pending)
        line = first + i - len(pending) + 1
        pending = []
        run: str | None = text
        if any(re.search(p, text) for p, _ in SKIPS):
            run = None
        else:
            for p, r, _ in REWRITES:
                run = re.sub(p, r, run)
        out.append(Command(line, section, block, text, run))
    return out


@dataclass
class Outcome:
    failed: Command | None
    code: int
    outputs: dict[int, str]  # command index -> what it printed (stdout and stderr)
    tail: str


def run_walkthrough(commands: list[Command], cwd: Path, timeout: float = 300) -> Outcome:
    """All commands in one bash session (variables carry over); stops at the first failure."""
    venv = cwd / ".venv" / "bin"
    venv.mkdir(parents=True, exist_ok=True)
    wrapper = venv / "familycard"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m familycard.cli "$@"\n')
    wrapper.chmod(0o755)
    script = ["exec 2>&1", "set -o pipefail"]
    for i, c in enumerate(commands):
        if c.run is None:
            continue
        script += [f"echo '@@readme {i}'", c.run,
                   f"__rc=$?; if [ $__rc -ne 0 ]; then echo \"@@readme-failed {i} $__rc\"; exit 97; fi"]
    script.append("echo '@@readme end'")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAMILYCARD_")}
    env.update(FAMILYCARD_DATA_DIR=str(cwd / "data"), LC_ALL="C.UTF-8")
    r = subprocess.run(["bash", "-c", "\n".join(script)], cwd=cwd, env=env, capture_output=True,
                       timeout=timeout)
    text = r.stdout.decode("utf-8", "replace")
    outputs: dict[int, str] = {}
    for part in re.split(r"^@@readme (?=\d+$)", text, flags=re.M)[1:]:
        head, _, rest = part.partition("\n")
        outputs[int(head)] = rest
    m = re.search(r"^@@readme-failed (\d+) (\d+)$", text, re.M)
    if m:
        return Outcome(commands[int(m[1])], int(m[2]), outputs, text[-3000:])
    if "@@readme end" not in text:  # bash itself stopped (a syntax error in a block)
        return Outcome(Command(0, "?", 0, "(bash)", None), r.returncode, outputs, text[-3000:])
    return Outcome(None, 0, outputs, "")


def _shape(line: str) -> re.Pattern:
    """A printed line with its numbers (and the thousands spaces in them) left open."""
    parts = re.split(r"\d+(?:[ ,]\d{3})*", line.strip())
    return re.compile(r"\d+(?:[ ,]\d{3})*".join(map(re.escape, parts)))


def test_the_rules_meet_the_readme():
    """Every rewrite and skip above applies to some README line: none is left over from an older
    README, and nothing is skipped that the rules do not name."""
    commands, _ = parse(README.read_text(encoding="utf-8"))
    texts = [c.text for c in commands]
    for p, _, why in REWRITES:
        assert any(re.search(p, t) for t in texts), f"rewrite {p!r} ({why}) meets no README command"
    for p, why in SKIPS:
        assert any(re.search(p, t) for t in texts), f"skip {p!r} ({why}) meets no README command"
    assert sum(c.run is not None for c in commands) >= 15  # the walk-through (19 today), not a stray line


def test_the_readme_walkthrough_runs_as_written(tmp_path):
    commands, examples = parse(README.read_text(encoding="utf-8"))
    out = run_walkthrough(commands, tmp_path)
    if out.failed is not None:
        c = out.failed
        pytest.fail(f"README.md line {c.line} (section '{c.section}', ```sh block {c.block}) exited "
                    f"{out.code}:\n  {c.text}\n  run as: {c.run}\n--- its output, last lines ---\n{out.tail}")
    # each printed example matches what its block printed, numbers aside
    for ex in examples:
        printed = "".join(o for i, o in out.outputs.items() if commands[i].block == ex.block).splitlines()
        for k, want in enumerate(ex.lines):
            if want.strip() in ("", "…"):
                continue
            shape = _shape(want)
            assert any(shape.fullmatch(p.strip()) for p in printed), (
                f"README.md line {ex.line + 1 + k}: the example {want!r} is not what ```sh block "
                f"{ex.block} prints; it printed:\n" + "\n".join(printed[-40:]))


def test_a_broken_command_is_named_by_its_readme_line(tmp_path):
    """The harness itself: a failing line stops the run and is named; what ran before it ran."""
    md = "# Walk\n\n```sh\necho one > one.txt   # a comment\nfalse && \\\n  echo never\necho three > three.txt\n```\n"
    commands, _ = parse(md)
    assert [(c.line, c.text) for c in commands] == [
        (4, "echo one > one.txt   # a comment"), (5, "false && \\\n  echo never"),
        (7, "echo three > three.txt")]
    out = run_walkthrough(commands, tmp_path)
    assert out.failed is not None and out.failed.line == 5 and out.failed.section == "Walk" and out.code == 1
    assert (tmp_path / "one.txt").exists() and not (tmp_path / "three.txt").exists()


def test_an_example_that_does_not_match_is_caught():
    assert _shape("read 58266, stored 0, unchanged 57687, rejected 579, pending links 0").fullmatch(
        "read 3390, stored 0, unchanged 3355, rejected 35, pending links 0")
    assert _shape("2026-12: 1 orders, 164 350 KZT").fullmatch("2026-12: 12 orders, 1 164 350 KZT")
    assert not _shape("read 58266, stored 0, unchanged 57687").fullmatch("read 3390, stored 0")
