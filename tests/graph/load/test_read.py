"""Step 1 of the load (graph/load/read.py): what it spills and rejects is exactly what ingest's
own line-by-line reading (``ingest._parse_lines`` over ``parse_line``) makes of the same feed."""
from __future__ import annotations

import datetime as dt
import io
import json
import random
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from familycard.graph.ingest import IngestSummary, _parse_lines
from familycard.graph.load import _columns, plan, read
from familycard.graph.load.read import line_texts, read_feeds
from familycard.schema.iin import make_iin
from familycard.schema.vocabulary import benefit_codes
from familycard.synthetic.names import iban_check
from familycard.synthetic.population import write_feed

TODAY = dt.date(2026, 11, 25)


def _generated(people: int, seed: int, bad_rate: float) -> bytes:
    out = io.StringIO()
    write_feed(out, people, seed, TODAY, bad_rate=bad_rate)
    return out.getvalue().encode()


def _person(**kw) -> dict:
    born, sex = dt.date(1987, 1, 1), "M"
    r = {"kind": "person", "source": "GBD_FL", "recorded_at": "2026-01-10T09:00:00Z",
         "iin": make_iin(born, sex, 1) or make_iin(born, sex, 2), "surname": "Ахметов", "given_name": "Нұрлан",
         "birth_date": born.isoformat(), "sex": sex}
    r.update(kw)
    return r


def _fact(ftype: str, **kw) -> dict:
    r = {"kind": "fact", "source": "KGD", "recorded_at": "2026-01-10T09:00:00Z", "iin": _person()["iin"],
         "type": ftype, "valid_from": "2026-10-01"}
    r.update(kw)
    return r


def _link(ltype: str, a: str, b: str, **kw) -> dict:
    r = {"kind": "link", "source": "ZAGS", "recorded_at": "2026-01-10T09:00:00Z", "type": ltype, "from": a, "to": b}
    r.update(kw)
    return r


def _j(obj, **dumps) -> bytes:
    return json.dumps(obj, ensure_ascii=False, **dumps).encode()


def _nasty() -> list[bytes]:
    """Hand-written lines of every awkward shape (one line each, without its newline)."""
    p = _person()
    other = make_iin(dt.date(1990, 5, 6), "F", 7) or make_iin(dt.date(1990, 5, 6), "F", 8)
    bban = "1250000000000100"  # digits only: KZ, check digits, then the 16
    iban = f"KZ{iban_check(bban):02d}{bban}"
    deep: list = []
    for _ in range(40):
        deep = [deep]
    code = sorted(benefit_codes())[0]
    return [
        b"", b"   ", b"\t\r",
        b'{"kind":"person","surname":"\xff\xfe"}',  # not UTF-8
        "\ufeff".encode() + _j(p),  # a BOM not on line 1
        _j(_person(surname=5)), _j(_person(iin=870101300012)), _j(_person(iin="٨٧٠١٠١٣٠٠٠١٢")),
        _j(_person(iin="８７０１０１３０００１２")),
        _j(_person(surname="\u00a0Ахметов\u00a0", given_name=" Нұрлан ")),
        _j(_person(surname="O'Brien")), _j(_person(surname='Back\\slash "quoted"')),
        _j(_person(surname="A\u0001B")),
        _j(p).replace("Ахметов".encode(), b"\\u0410\\u0445\\u043c\\u0435\\u0442\\u043e\\u0432"),
        _j(_person(surname="Müller×Øre")), _j(_person(note={"a": [1, {"b": None}]})), _j(_person(note=deep)),
        _j(_person(type="PARENT_OF")),
        _j(p)[:-1] + ',"surname":"Другой"}'.encode(),  # a key twice: the last wins in parse_line
        _j(_person(recorded_at="2026-01-10T09:00:00+05:00")), _j(_person(recorded_at="2026-01-10T09:00Z")),
        _j(_person(recorded_at="2026-01-10T09:00:00.5Z")), _j(_person(recorded_at="2026-01-10 09:00:00")),
        _j(_person(recorded_at="2026-01-10T09:00:00.123456-03:30")), _j(_person(recorded_at="2026-01-10T09")),
        _j(_person(recorded_at="0001-01-01T00:00:00+01:00")), _j(_person(recorded_at="2026-01-10T09:00:07")),
        _j(_person(recorded_at="2026-02-30T09:00:00Z")), _j(_person(recorded_at="2026-01-10T24:00:00Z")),
        _j(_person(recorded_at="2026-01-01T01:00:00+05:30")), _j(_person(recorded_at=20260110)),
        _j(_fact("disability", group=1)), _j(_fact("disability", group="1", work_capacity_loss_percent=40)),
        _j(_fact("disability", group="4")), _j(_fact("disability", group="child", work_capacity_loss_percent=101)),
        _j(_fact("income", month="2026-10", amount_kzt=True)),
        _j(_fact("income", month="2026-10", amount_kzt=99999999999999999999)),
        _j(_fact("income", month="2026-10", amount_kzt=999999999999999999)),
        _j(_fact("income", month="2026-10", amount_kzt=-0)), b'{"kind":"fact","source":"KGD","recorded_at":'
        b'"2026-01-10T09:00:00Z","iin":"' + p["iin"].encode() + b'","type":"income","valid_from":"2026-10-01",'
        b'"month":"2026-10","amount_kzt":-0}',
        _j(_fact("income", month="2026-10", amount_kzt=1.0)), _j(_fact("income", month="2026-10", amount_kzt="5")),
        _j(_fact("income", month="2026-10", amount_kzt=5, group="1")),
        _j(_fact("contribution", month="2026-10", amount_kzt=5)),
        _j(_fact("contribution", month="2026-10", amount_kzt=5, valid_from="2026-10-02")),
        _j(_fact("contribution", month=" 2026-10 ", amount_kzt=5)),
        _j(_fact("employment", employer_bin=" 123456789012 ")), _j(_fact("employment", employer_bin="12345678901")),
        _j(_fact("award", name="altyn_alqa")), _j(_fact("award", name="gold")), _j(_fact("benefit", benefit=code)),
        _j(_fact("pension", valid_to="2026-09-30")), _j(_fact("student", valid_to="2027-06-30")),
        _j(_fact("kandas", valid_from="2026-02-29")),
        _j(_person(surname="")), _j(_person(patronymic="")), _j(_person(patronymic="  ")),
        _j(_person(source=" GBD_FL ", phone=" +77011234567 ", address_id=" KZ-AST-1 ")),
        _j(_person(phone="+7701123456")), _j(_person(phone="+7７01234567８")),
        _j(_person(bank_account=iban.lower()[:8] + " " + iban[8:])), _j(_person(bank_account=iban)),
        _j(_person(bank_account=iban[:2] + "00" + iban[4:])), _j(_person(bank_account="KZ86125KZT5004100100")),
        _j(_person(citizenship="ru")), _j(_person(citizenship="RU")), _j(_person(citizenship=" ")),
        _j(_person(death_date="2026-11-25")), _j(_person(death_date="2026-11-26")),
        _j(_person(death_date="1986-12-31")), _j(_person(birth_date="1987-01-02")), _j(_person(sex="F")),
        _j(_person(sex="m")), _j(_person(patronymic=None)), _j(_person(death_date=None)),
        _j(_link("SPOUSE_OF", p["iin"], other, since="2010-01-01")),
        _j(_link("SPOUSE_OF", other, p["iin"], since="2010-01-01", until="2009-01-01")),
        _j(_link("PARENT_OF", other, p["iin"])), _j(_link("PARENT_OF", p["iin"], p["iin"])),
        _j(_link("GUARDIAN_OF", other, p["iin"], since="2020-01-01", note="x")),
        _j(_link("parent_of", other, p["iin"])),
        _j(p, indent=None, separators=(" , ", " : ")), b"   " + _j(p) + b"  ", _j(p) + b"\r",
        _j(p)[:-1] + b',"patronymic":null,"patronymic":"X"}', _j(p)[:-1] + b',"patronymic":"X","patronymic":null}',
        _j(p)[:-1] + b',"patronymic":null,"patronymic":null}', _j(p)[:-1] + b',"patronymic" :  null}',
        _j(_person(type=None)), _j(_person(kind=None)), _j(_person(citizenship=None, address_id="a:null")),
        _j(_person(surname="null", given_name="Null")), _j(_person(sex=None)),
        _j(_fact("income", month="2026-10", amount_kzt=5, group=None)), _j(_fact("income", month="2026-10",
                                                                                 amount_kzt=None)),
        _j(_fact("disability", group="2", work_capacity_loss_percent=None)), _j(_fact("disability", group=None)),
        _j(_link("PARENT_OF", other, p["iin"], since=None, until="2020-01-01")),
        b"[1, 2]", b"null", b"{}", b'"person"', b"{'kind': 'link'}", b'{"kind": "fact", "iin": "1",}',
        b'{"kind":"person","iin":"8', _j(_person(kind="Person")), _j({k: v for k, v in p.items() if k != "kind"}),
    ]


def _feed_bytes(seed: int = 3) -> bytes:
    generated = _generated(1500, seed, bad_rate=0.05).split(b"\n")
    nasty = _nasty()
    out = []
    for i, line in enumerate(generated):  # the hand-written lines spread through the feed
        out.append(line)
        if i % 97 == 0 and nasty:
            out.append(nasty.pop())
    out += nasty
    # A BOM on line 1, and a last line without its newline.
    return b"\xef\xbb\xbf" + b"\n".join(out).rstrip(b"\n") + b"\n" + _j(_person(surname="Last"))


def _expected(files: list[tuple[str, bytes]]):
    """What ingest's own reading makes of the feeds: rows by kind, rejections, lines read."""
    rows: dict[str, list[dict]] = {k: [] for k in plan.SPILL_KINDS}
    summary = IngestSummary()
    texts = {}
    for fi, (name, data) in enumerate(files):
        for it in _parse_lines(iter(io.BytesIO(data).readline, b""), name, TODAY, summary):
            n = int(it.origin.rsplit(":", 1)[1])
            row = dict(it.rec.props)
            if it.rec.kind == "link":
                row.update({"type": it.rec.type, "from": it.rec.from_iin, "to": it.rec.to_iin})
            row.update(seq=read.seq_of(fi, n), origin=it.origin)
            rows[it.rec.kind].append(row)
            texts[row["seq"]] = it.text
    tables = {k: pa.Table.from_pylist(v, schema=plan.spill_schema(k)).to_pylist() for k, v in rows.items()}
    return tables, summary, texts


def _spilled(spill: Path, kind: str) -> list[dict]:
    files = sorted((spill / kind).glob("part-*.parquet"))
    if not files:
        return []
    t = pa.concat_tables([pq.read_table(f) for f in files])
    assert t.schema == plan.spill_schema(kind)
    return t.sort_by("seq").to_pylist()


def _write(tmp_path: Path, files: list[tuple[str, bytes]]) -> list[Path]:
    paths = []
    for name, data in files:
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    return paths


@pytest.mark.parametrize("blocks", [1, 7])
def test_spill_and_rejections_equal_ingests_line_by_line(tmp_path, monkeypatch, blocks):
    data = _feed_bytes()
    monkeypatch.setattr(read, "BLOCK_BYTES", len(data) // blocks + 1)
    files = [("feed.jsonl", data)]
    expected, ref, _ = _expected(files)
    seen = []
    s = read_feeds(_write(tmp_path, files), tmp_path / "spill", TODAY, progress=seen.append)
    for kind in plan.SPILL_KINDS:
        got = _spilled(tmp_path / "spill", kind)
        assert len(got) == len(expected[kind]), kind
        for g, e in zip(got, expected[kind], strict=True):
            assert g == e, (kind, g["origin"])
        assert s.valid[kind] == len(expected[kind])
    assert s.rejections == ref.rejections
    assert (s.read, s.rejected) == (ref.read, ref.rejected)
    assert ref.rejected > 100 and all(expected.values())  # the feed did have every sort of line
    assert s.files == ["feed.jsonl"]
    # Only the bad lines and the hand-written odd ones went the slow way: no block fell back whole.
    assert s.slow <= ref.rejected + len(_nasty()), (s.slow, ref.rejected)
    assert len(seen) >= blocks and seen[-1] == len(data) and seen == sorted(seen)


def test_the_columns_vouch_for_a_valid_feed(tmp_path):
    files = [("valid.jsonl", _generated(800, 5, bad_rate=0.0))]
    s = read_feeds(_write(tmp_path, files), tmp_path / "spill", TODAY)
    assert s.rejected == 0 and s.read > 8000
    # Read one by one by parse_line, the feed would count every line here.
    assert s.slow <= s.read // 200, s.slow
    expected, _, _ = _expected(files)
    for kind in plan.SPILL_KINDS:
        assert _spilled(tmp_path / "spill", kind) == expected[kind]


@pytest.mark.parametrize("block_bytes", [read.BLOCK_BYTES, 64], ids=["blocks", "lines-longer-than-a-block"])
def test_several_feeds_keep_their_own_lines_and_texts(tmp_path, monkeypatch, block_bytes):
    monkeypatch.setattr(read, "BLOCK_BYTES", block_bytes)
    a = _generated(8, 1, bad_rate=0.1)
    b = b"\n\n" + _j(_person(surname="Second")) + b"\n" + b"\xef\xbb\xbf" + _j(_person()) + b"\n"
    c = b"\xef\xbb\xbf" + _j(_person(surname="Third")) + b"\r\n"
    files = [("a.jsonl", a), ("b.jsonl", b), ("empty.jsonl", b""), ("c.jsonl", c), ("blank.jsonl", b"\n \x0b\n")]
    expected, ref, texts = _expected(files)
    paths = _write(tmp_path, files)
    s = read_feeds(paths, tmp_path / "spill", TODAY)
    assert s.files == ["a.jsonl", "b.jsonl", "empty.jsonl", "c.jsonl", "blank.jsonl"]
    assert (s.read, s.rejected) == (ref.read, ref.rejected)
    got = _spilled(tmp_path / "spill", "person")
    assert got == expected["person"]
    assert [(r["origin"], r["seq"] >> 40) for r in got if r["seq"] >> 40] == [("b.jsonl:3", 1), ("c.jsonl:1", 3)]
    assert [r.origin for r in s.rejections if not r.origin.startswith("a.")] == ["b.jsonl:4"]
    assert s.rejections == ref.rejections
    # the raw lines back, as ingest keeps them for a Pending node, for any of the feeds' lines
    want = [r["seq"] for k in plan.SPILL_KINDS for r in expected[k]][::7] + [read.seq_of(1, 3), read.seq_of(3, 1)]
    assert line_texts(paths, want) == {q: texts[q] for q in want}
    assert line_texts(paths, [read.seq_of(3, 1)])[read.seq_of(3, 1)].startswith('{"kind"')


def test_a_rerun_replaces_the_parts_of_an_interrupted_read(tmp_path):
    files = [("feed.jsonl", _generated(50, 2, bad_rate=0.0))]
    stale = tmp_path / "spill" / "person" / "part-00099.parquet"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"half a file")
    read_feeds(_write(tmp_path, files), tmp_path / "spill", TODAY)
    assert not stale.exists()
    assert _spilled(tmp_path / "spill", "person") == _expected(files)[0]["person"]


def test_iban_check_digits_as_ingest_checks_them(tmp_path):
    """Accounts with letters and digits, valid one time in 97 or by construction: the
    columns' mod-97 accepts exactly the ones parse_line accepts."""
    rnd = random.Random(4)
    alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    lines = []
    for i in range(600):
        bban = f"{rnd.randrange(1000):03d}" + "".join(rnd.choice(alnum if i % 2 else "0123456789") for _ in range(13))
        cd = iban_check(bban) if i % 5 == 0 and bban.isdigit() else rnd.randrange(100)
        lines.append(_j(_person(bank_account=f"KZ{cd:02d}{bban}", surname=f"S{i}")))
    files = [("iban.jsonl", b"\n".join(lines) + b"\n")]
    expected, ref, _ = _expected(files)
    s = read_feeds(_write(tmp_path, files), tmp_path / "spill", TODAY)
    assert _spilled(tmp_path / "spill", "person") == expected["person"]
    assert s.rejections == ref.rejections
    assert 60 < len(expected["person"]) < 600 and s.slow == ref.rejected


def test_plain_characters_are_what_the_digest_and_strip_assume():
    """Every character the columns take inside a string: Python's repr leaves it as it is
    (the digest quotes the string in '...'), and str.strip() does not strip it."""
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    plain = pl.Series(chars).str.contains(f"^{_columns._PLAIN}$").to_list()
    taken = [c for c, ok in zip(chars, plain, strict=True) if ok]
    assert len(taken) > 400 and "Ә" in taken and "\u00a0" not in taken and "'" not in taken
    for c in taken:
        assert repr(c) == f"'{c}'" and (c.strip() == c or c == " "), hex(ord(c))


def test_a_failure_in_the_columns_leaves_the_block_to_parse_line(tmp_path, monkeypatch):
    def broken(df):
        raise RuntimeError("a polars surprise")

    monkeypatch.setattr(_columns, "_fact", broken)
    files = [("feed.jsonl", _generated(40, 6, bad_rate=0.05))]
    expected, ref, _ = _expected(files)
    s = read_feeds(_write(tmp_path, files), tmp_path / "spill", TODAY)
    assert s.slow == s.read and s.rejections == ref.rejections
    for kind in plan.SPILL_KINDS:
        assert _spilled(tmp_path / "spill", kind) == expected[kind]
