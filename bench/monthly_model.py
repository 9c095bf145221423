"""Issue 17, point 6: what storing the monthly facts differently would do to load, sweep and disk.

A measurement, not the product's model. Today every monthly ``income`` and ``contribution``
record is a ``Fact`` node linked by ``HAS_FACT`` (9.6 M of a 1 M-person feed's 12.25 M records).
The alternative measured here: one ``FactYear`` node per person, kind and year, linked once by
``HAS_YEAR``, with twelve amount columns ``m01..m12`` and, so that each month still keeps the
registry it came from and when, twelve ``s01..s12`` (source) and ``r01..r12`` (recorded_at).
No digest column: a monthly record's digest is a function of exactly these values (records.py
``_digest`` of its key and properties, whose ``valid_from`` and ``valid_to`` are the first and
last day of the month, as every monthly record of the generated feeds has them, and ``extra``
null), so ingest can recompute the stored month's digest to
recognise "unchanged" and break recorded_at ties. A record that does not fit a slot (an income
``valid_from`` not on the month's first day, another ``valid_to``, unknown fields in ``extra``)
stays a ``Fact``: the fold counts them (``irregular``), and the comparison of recipients below
would show what the rewritten rules miss of them.

    # once: a 1 M load that keeps its plan (~4 min; its stderr has the step times)
    FAMILYCARD_DATA_DIR=/work/data/monthly/lb1m .venv/bin/familycard load \\
        /work/data/feed-1000000.jsonl --today 2026-11-25 --keep-work 2> /work/data/monthly/load.log
    .venv/bin/python bench/monthly_model.py --data /work/data/monthly/lb1m \\
        --load-log /work/data/monthly/load.log --work /work/data/monthly/mm --engines ladybug neo4j

Steps (each figure in the JSON written to bench/results/monthly-model-<date>-<records>.json; a
run with other ``--engines`` on the same feed that day adds to it):
1. fold: the load's plan (``<data>/load-*/plan``) into the other layout's plan with polars:
   rows per table before and after, and the fold's seconds (it would be part of the load's
   resolve step).
2. LadybugDB: ``build_database`` (the load's own COPY step) of each plan into a fresh database,
   in a child process (peak RSS sampled); seconds (median of ``--runs`` when a run is under a
   minute), disk.
3. Neo4j: ``write_csv`` + the importer (``import_args``, ``neo4j_local.run_admin``) on each
   plan; then the server on it, the model's constraints and indexes (and FactYear's key), and
   disk. One run each (the importer alone takes minutes at 1 M).
4. The rules: every rule, the three that read monthly facts (job_loss, targeted_assistance,
   work_capacity_loss) rewritten below for the other layout, on each layout's database, as of
   2026-11-25: seconds per rule (those three: median of ``--runs``, the layouts' runs
   alternating on LadybugDB; the others once) and the entitlements found (recipient, subject,
   event, amount and the row's inputs) compared: they must be the same sets.
5. The load at the new layout estimated from the measured parts: read (the load's own, per
   line and unchanged by the layout) + resolve (the load's own) + fold + COPY (or CSV + import +
   server start + schema), as records/s of the feed.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from familycard.graph import model  # noqa: E402
from familycard.graph.load.plan import PLAN_TABLES, plan_schema, table_files  # noqa: E402
from ingest import AS_OF, machine  # noqa: E402
from load import du_mb, free_port, run, steps  # noqa: E402

MONTHLY = ("income", "contribution")
MONTHS = range(1, 13)
FACT_YEAR = model.Table("FactYear", (
    ("key", model.STRING), ("iin", model.STRING), ("type", model.STRING), ("year", model.INT64),
) + tuple((f"m{k:02d}", model.INT64) for k in MONTHS)
  + tuple((f"s{k:02d}", model.STRING) for k in MONTHS)
  + tuple((f"r{k:02d}", model.TIMESTAMP) for k in MONTHS))
HAS_YEAR = model.Table("HAS_YEAR", (), "Person", "FactYear")
ALT_TABLES = model.REGISTRY_TABLES + (FACT_YEAR,) + model.REL_TABLES + (HAS_YEAR,)
LAYOUTS = {"current": PLAN_TABLES, "year": ALT_TABLES}


# ----------------------------------------------------------------------------- 1. the fold

def fold(plan_dir: Path, out: Path) -> dict:
    """The other layout's plan in ``out`` from the load's plan: monthly Fact rows folded into
    FactYear rows, HAS_FACT likewise; every other table's files linked, unchanged."""
    import polars as pl
    import pyarrow.parquet as pq

    started = time.perf_counter()
    shutil.rmtree(out, ignore_errors=True)
    for table in PLAN_TABLES:
        if table in (model.FACT, model.HAS_FACT):
            continue
        (out / table.name).mkdir(parents=True)
        for f in table_files(plan_dir, table):
            (out / table.name / f.name).symlink_to(f.resolve())
    facts = pl.scan_parquet(table_files(plan_dir, model.FACT))
    first_of_month = pl.col("month").str.to_date("%Y-%m", strict=False)
    fits = (pl.col("type").is_in(MONTHLY) & pl.col("extra").is_null() & (pl.col("valid_from") == first_of_month)
            & (pl.col("valid_to") == first_of_month.dt.month_end()))
    monthly = facts.filter(fits).select(
        "iin", "type", pl.col("month").str.slice(0, 4).cast(pl.Int64).alias("year"),
        pl.col("month").str.slice(5, 2).cast(pl.Int64).alias("k"), "amount_kzt", "source", "recorded_at")
    # one slot per (person, kind, month): the plan holds one fact per key after last-writer-wins,
    # and a monthly fact's key is (iin, type, valid_from = first of the month, month)
    agg = []
    for k in MONTHS:
        at = pl.col("k") == k
        agg += [pl.col("amount_kzt").filter(at).first().alias(f"m{k:02d}"),
                pl.col("source").filter(at).first().alias(f"s{k:02d}"),
                pl.col("recorded_at").filter(at).first().alias(f"r{k:02d}")]
    years = (monthly.group_by("iin", "type", "year").agg(pl.len().alias("_n"), *agg)
             .with_columns(key=pl.concat_str("iin", "type", pl.col("year").cast(pl.String), separator="|"))
             .sort("key").collect())
    filled = int(years["_n"].sum())
    years = years.drop("_n").select(FACT_YEAR.names)
    kept = facts.filter(~fits).collect()
    has_fact = pl.scan_parquet(table_files(plan_dir, model.HAS_FACT))
    kept_links = has_fact.join(kept.lazy().select(pl.col("key").alias("to")), on="to", how="semi").collect()
    has_year = years.select(pl.col("iin").alias("from"), pl.col("key").alias("to"))
    for table, df in ((model.FACT, kept), (model.HAS_FACT, kept_links), (FACT_YEAR, years), (HAS_YEAR, has_year)):
        (out / table.name).mkdir(parents=True)
        pq.write_table(df.to_arrow().cast(plan_schema(table)), out / table.name / "part-00000.parquet")
    seconds = time.perf_counter() - started
    before = {t.name: rows(plan_dir, t) for t in PLAN_TABLES}
    after = {t.name: rows(out, t) for t in ALT_TABLES}
    irregular = int(facts.filter(pl.col("type").is_in(MONTHLY) & ~fits).select(pl.len()).collect().item())
    return {"seconds": round(seconds, 1), "rows_before": before, "rows_after": after,
            "rows_total_before": sum(before.values()), "rows_total_after": sum(after.values()),
            "monthly_facts_folded": filled, "fact_years": years.height, "irregular": irregular,
            "months_per_year_row": round(filled / max(years.height, 1), 2)}


def rows(plan_dir: Path, table: model.Table) -> int:
    import pyarrow.parquet as pq
    return sum(pq.ParquetFile(f).metadata.num_rows for f in table_files(plan_dir, table))


# ----------------------------------------------------------------------------- 4. the rules

def _months_in(var: str, lo: str, hi: str, value: str) -> str:
    """Σ over the twelve months of ``var`` (a FactYear) that fall in [lo, hi) (``yyyymm``
    integers) of ``value`` (a template over the month's column): portable Cypher, no lists."""
    terms = []
    for k in MONTHS:
        ym = f"{var}.year * 100 + {k}"
        terms.append(f"CASE WHEN {ym} >= {lo} AND {ym} < {hi} THEN {value.format(m=f'{var}.m{k:02d}')} ELSE 0 END")
    return "(" + "\n     + ".join(terms) + ")"


def _year_overlaps(var: str, lo: str, hi: str) -> str:
    return f"{var}.year * 100 + 12 >= {lo} AND {var}.year * 100 + 1 < {hi}"


_SUM = "coalesce({m}, 0)"
_COUNT = "CASE WHEN {m} IS NULL THEN 0 ELSE 1 END"


def _lookback_rule(cypher: str, anchor: str) -> str:
    """job_loss / work_capacity_loss: their two OPTIONAL MATCHes over contribution and income
    facts in [lookback_from, month_start) as sums over FactYear months in [from_ym, until_ym)."""
    head, rest = cypher.split("UNWIND $months AS m\n", 1)
    ret = rest[rest.index("RETURN "):]
    return (head + "UNWIND $months AS m\n"
            f"WITH p, {anchor}, m.first_day AS month_start, m.last_day AS month_end, m.from_ym AS from_ym, "
            "m.until_ym AS until_ym\n"
            f"WHERE {anchor}.valid_from >= month_start AND {anchor}.valid_from <= month_end\n"
            "OPTIONAL MATCH (p)-[:HAS_YEAR]->(c:FactYear)\n"
            f"  WHERE c.type = 'contribution' AND {_year_overlaps('c', 'from_ym', 'until_ym')}\n"
            f"WITH p, {anchor}, from_ym, until_ym, "
            f"coalesce(sum({_months_in('c', 'from_ym', 'until_ym', _COUNT)}), 0) AS contribution_months\n"
            "WHERE contribution_months >= $min_contribution_months\n"
            "OPTIONAL MATCH (p)-[:HAS_YEAR]->(i:FactYear)\n"
            f"  WHERE i.type = 'income' AND {_year_overlaps('i', 'from_ym', 'until_ym')}\n"
            f"WITH p, {anchor}, contribution_months, "
            f"coalesce(sum({_months_in('i', 'from_ym', 'until_ym', _SUM)}), 0) AS income_total, "
            f"coalesce(sum({_months_in('i', 'from_ym', 'until_ym', _COUNT)}), 0) AS income_months\n"
            + ret)


def _targeted_assistance(cypher: str) -> str:
    old = re.search(r"OPTIONAL MATCH \(p\)-\[:HAS_FACT\]->\(f:Fact\)\n.*\n"
                    r"WITH a, p, coalesce\(sum\(f.amount_kzt\), 0\) AS person_income\n", cypher)
    new = ("OPTIONAL MATCH (p)-[:HAS_YEAR]->(y:FactYear)\n"
           f"  WHERE y.type = 'income' AND {_year_overlaps('y', '$income_from_ym', '$income_until_ym')}\n"
           f"WITH a, p, coalesce(sum({_months_in('y', '$income_from_ym', '$income_until_ym', _SUM)}), 0) "
           "AS person_income\n")
    return cypher[:old.start()] + new + cypher[old.end():]


def _ym(d: dt.date) -> int:
    return d.year * 100 + d.month


def year_rule(rule):
    """The rule for the FactYear layout, and a function adding the ``yyyymm`` parameters its
    Cypher needs to the rule's own (Python computes every calendar bound, as bounds.py does)."""
    if rule.code == "targeted_assistance":
        def extra(p: dict) -> dict:
            return {"income_from_ym": _ym(p["income_from"]), "income_until_ym": _ym(p["income_until"])}
        return dataclasses.replace(rule, cypher=_targeted_assistance(rule.cypher)), extra
    if rule.code in ("job_loss", "work_capacity_loss"):
        def extra(p: dict) -> dict:
            return {"months": [dict(m, from_ym=_ym(m["lookback_from"]), until_ym=_ym(m["first_day"]))
                               for m in p["months"]]}
        anchor = "u" if rule.code == "job_loss" else "d"
        return dataclasses.replace(rule, cypher=_lookback_rule(rule.cypher, anchor)), extra
    if re.search(r"'(income|contribution)'", rule.cypher):
        raise SystemExit(f"{rule.code} reads monthly facts and has no FactYear form here")
    return rule, None


def found(store, rule, extra, as_of: dt.date) -> tuple[float, list]:
    """Seconds and the entitlements (as comparable tuples) of one run, as run_rule finds them."""
    from familycard.graph.rules.rule import Entitlement

    t = time.perf_counter()
    params = rule.query_params(as_of)
    if extra:
        params.update(extra(params))
    out = []
    for row in store.read(rule.cypher, params):
        ok, amount = rule.decide(as_of, row)
        if ok:
            inputs = {k: v for k, v in row.items() if k not in ("iin", "subject", "event")}
            out.append(Entitlement(row["iin"], rule.code, as_of, row.get("subject"), amount, row.get("event"), inputs))
    secs = time.perf_counter() - t
    return secs, sorted((e.iin, e.subject or "", str(e.event), e.amount_kzt, json.dumps(e.inputs, default=str,
                                                                                        sort_keys=True)) for e in out)


MONTHLY_RULES = ("job_loss", "targeted_assistance", "work_capacity_loss")


def sweep(stores: dict, runs: int, as_of: dt.date = AS_OF) -> dict:
    """Every rule on each layout's store (``{layout: store}``): median seconds and the
    entitlements found. The runs of the layouts alternate, so that a busy machine weighs on
    both alike; the rules that read monthly facts run ``runs`` times, the others once."""
    from familycard.graph.rules import load_rules

    out: dict = {layout: {} for layout in stores}
    for rule in load_rules():
        forms = {layout: year_rule(rule) if layout == "year" else (rule, None) for layout in stores}
        times: dict = {layout: [] for layout in stores}
        got: dict = {}
        for _ in range(runs if rule.code in MONTHLY_RULES else 1):
            for layout, store in stores.items():
                s, got[layout] = found(store, *forms[layout], as_of)
                times[layout].append(s)
        for layout in stores:
            out[layout][rule.code] = {"seconds": round(statistics.median(times[layout]), 3),
                                      "runs": [round(t, 3) for t in times[layout]],
                                      "found": len(got[layout]), "entitlements": got[layout]}
    return out


# ----------------------------------------------------------------------------- 2. LadybugDB

_COPY = r"""
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[4])
import monthly_model as mm
from familycard.graph.load.ladybug import build_database
t = time.perf_counter()
rows = build_database(Path(sys.argv[1]), Path(sys.argv[2]), tables=mm.LAYOUTS[sys.argv[3]])
print(time.perf_counter() - t, rows)
"""


def ladybug_copy(plan: Path, db: Path, layout: str, runs: int, env: dict) -> dict:
    times, rss = [], []
    for i in range(runs):
        shutil.rmtree(db, ignore_errors=True)
        _, peak, out, _ = run([sys.executable, "-c", _COPY, str(plan), str(db), layout, str(ROOT / "bench")], env)
        secs, copied = float(out.split()[0]), int(out.split()[1])
        times.append(secs)
        rss.append(peak)
        print(f"  ladybug {layout}: COPY {copied:,} rows in {secs:.1f} s, peak RSS {peak:,} MB", flush=True)
        if i == 0 and secs >= 60:
            break
    return {"copy_s": round(statistics.median(times), 1), "runs": [round(t, 1) for t in times], "rows": copied,
            "peak_rss_mb": max(rss), "disk_mb": du_mb(db / "graph.lbug")}


def ladybug_rules(dbs: dict, runs: int) -> dict:
    from familycard.graph.store.ladybug import LadybugStore

    stores = {layout: LadybugStore(db, read_only=True) for layout, db in dbs.items()}
    try:
        return sweep(stores, runs)
    finally:
        for store in stores.values():
            store.close()


# ----------------------------------------------------------------------------- 3. Neo4j

_IMPORT = r"""
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[4])
import monthly_model as mm
from familycard.graph.load.neo4j_import import import_args, write_csv
from familycard.graph.store import neo4j_local as nl
plan, out = Path(sys.argv[1]), Path(sys.argv[2])
t = time.perf_counter()
files = write_csv(plan, out / "csv", tables=mm.LAYOUTS[sys.argv[3]])
csv_s = time.perf_counter() - t
t = time.perf_counter()
nl.run_admin(out / "neo4j", import_args(files, "neo4j", files_at=str(out / "csv"), overwrite=True),
             out / "import.log", nl.default_cache_dir(), cwd=out)
print(time.perf_counter() - t, sum(files.rows.values()), csv_s, files.bytes)
"""


def neo4j_layout(plan: Path, work: Path, layout: str, runs: int, env: dict, rules: bool = True) -> dict:
    from familycard.graph.store import dialect
    from familycard.graph.store import neo4j_local as nl
    from familycard.graph.store.neo4j import Neo4jStore

    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    _, peak, out, _ = run([sys.executable, "-c", _IMPORT, str(plan), str(work), layout, str(ROOT / "bench")], env)
    import_s, copied, csv_s, csv_bytes = out.split()[:4]
    shutil.rmtree(work / "csv")
    r = {"import_s": round(float(import_s), 1), "csv_s": round(float(csv_s), 1), "rows": int(float(copied)),
         "csv_mb": int(csv_bytes) // 2**20, "disk_mb_imported": du_mb(work / "neo4j" / nl.HOME_NAME / "data")}
    print(f"  neo4j {layout}: CSV {r['csv_s']} s ({r['csv_mb']:,} MB), import {r['import_s']} s, "
          f"{r['rows']:,} rows, {r['disk_mb_imported']:,} MB", flush=True)
    if not rules:
        shutil.rmtree(work, ignore_errors=True)
        return r
    port = free_port()
    t = time.perf_counter()
    nl.start_background(work / "neo4j", port, nl.default_cache_dir())
    try:
        store = Neo4jStore(f"bolt://127.0.0.1:{port}")
        try:
            store.setup_schema()
            if layout == "year":
                for stmt in dialect.neo4j_schema([FACT_YEAR], []):
                    store.write(stmt)
                store.write("CALL db.awaitIndexes(600)")
            store.after_load(r["rows"])
            r["start_and_schema_s"] = round(time.perf_counter() - t, 1)
            print(f"  neo4j {layout}: server and schema {r['start_and_schema_s']} s", flush=True)
            r["rules"] = sweep({layout: store}, runs)[layout]
        finally:
            store.close()
    finally:
        nl.stop_background(work / "neo4j")
    r["disk_mb"] = du_mb(work / "neo4j" / nl.HOME_NAME / "data")
    shutil.rmtree(work, ignore_errors=True)
    return r


# ----------------------------------------------------------------------------- the run

def compare(a: dict, b: dict) -> dict:
    """Per rule: the same entitlements on both layouts? (the first differences when not)"""
    out = {}
    for code in a:
        x, y = set(map(tuple, a[code]["entitlements"])), set(map(tuple, b[code]["entitlements"]))
        out[code] = {"same": x == y, "only_current": sorted(x - y)[:3], "only_year": sorted(y - x)[:3]}
    return out


def strip(rules: dict) -> dict:
    return {c: {k: v for k, v in r.items() if k != "entitlements"} for c, r in rules.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="data folder of a `familycard load --keep-work`")
    ap.add_argument("--load-log", type=Path, required=True, help="that load's stderr (its step times)")
    ap.add_argument("--work", type=Path, required=True, help="a folder for the databases (emptied after)")
    ap.add_argument("--engines", nargs="+", default=["ladybug"], choices=["ladybug", "neo4j"])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--neo4j-import-only", action="store_true",
                    help="Neo4j: the importer's time and disk only (no server, schema or rules)")
    args = ap.parse_args()
    plan = next(args.data.glob("load-*/plan"))
    log = args.load_log.read_text()
    load_steps = steps(log)
    records = int(re.search(r"read: ([\d,]+) lines", log).group(1).replace(",", ""))
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAMILYCARD_")}
    args.work.mkdir(parents=True, exist_ok=True)
    result: dict = {"machine": machine(), "as_of": AS_OF.isoformat(), "records": records, "load_steps": load_steps,
                    "plan": str(plan), "engines": {}}
    dest = ROOT / "bench" / "results" / f"monthly-model-{dt.date.today()}-{records}.json"
    if dest.exists():  # another engine measured earlier on the same feed: kept beside this run's
        result["engines"] = {e: r for e, r in json.loads(dest.read_text())["engines"].items()
                             if e not in args.engines}

    def save() -> None:
        dest.write_text(json.dumps(result, indent=1, default=str))

    alt = args.work / "plan-year"
    result["fold"] = fold(plan, alt)
    save()
    f = result["fold"]
    print(f"fold: {f['rows_total_before']:,} -> {f['rows_total_after']:,} rows in {f['seconds']} s; "
          f"{f['monthly_facts_folded']:,} monthly facts into {f['fact_years']:,} FactYear rows "
          f"({f['months_per_year_row']} months each), {f['irregular']} irregular", flush=True)
    plans = {"current": plan, "year": alt}
    if "ladybug" in args.engines:
        lb: dict = {}
        result["engines"]["ladybug"] = lb
        dbs = {layout: args.work / f"lb-{layout}" for layout in LAYOUTS}
        for layout, db in dbs.items():
            lb[layout] = ladybug_copy(plans[layout], db, layout, args.runs, env)
            save()
        for layout, rules in ladybug_rules(dbs, args.runs).items():
            lb[layout]["rules"] = rules
            lb[layout]["sweep_s"] = round(sum(r["seconds"] for r in rules.values()), 2)
            print(f"  ladybug {layout}: all rules {lb[layout]['sweep_s']} s; "
                  + ", ".join(f"{c} {r['seconds']} s ({r['found']})" for c, r in rules.items()
                              if c in MONTHLY_RULES), flush=True)
        for db in dbs.values():
            shutil.rmtree(db, ignore_errors=True)
        lb["same"] = compare(lb["current"]["rules"], lb["year"]["rules"])
        for layout in LAYOUTS:
            lb[layout]["rules"] = strip(lb[layout]["rules"])
        save()
    if "neo4j" in args.engines:
        nj: dict = {}
        result["engines"]["neo4j"] = nj
        for layout in LAYOUTS:
            free = shutil.disk_usage(args.work).free / 1e9
            if free < 20:
                nj[layout] = {"skipped": f"{free:.0f} GB free"}
                print(f"  neo4j {layout}: skipped, {free:.0f} GB free", flush=True)
                continue
            nj[layout] = neo4j_layout(plans[layout], args.work / f"neo4j-{layout}", layout, args.runs, env,
                                      rules=not args.neo4j_import_only)
            if "rules" in nj[layout]:
                nj[layout]["sweep_s"] = round(sum(r["seconds"] for r in nj[layout]["rules"].values()), 2)
            save()
        if all("rules" in nj.get(lay, {}) for lay in LAYOUTS):
            nj["same"] = compare(nj["current"]["rules"], nj["year"]["rules"])
            for layout in LAYOUTS:
                nj[layout]["rules"] = strip(nj[layout]["rules"])
        save()
    estimate(result)
    save()
    shutil.rmtree(alt, ignore_errors=True)
    print(f"\nraw: {dest.relative_to(ROOT)}")
    print(table(result))


def estimate(result: dict) -> None:
    """The whole load per layout from its parts: read and resolve as the load measured them, the
    fold (new layout only), then the engine's bulk step."""
    st, fold_s, records = result["load_steps"], result["fold"]["seconds"], result["records"]
    base = st.get("read", 0) + st.get("resolve", 0)
    for engine, per in result["engines"].items():
        for layout in LAYOUTS:
            r = per.get(layout, {})
            if engine == "ladybug" and "copy_s" in r:
                bulk = r["copy_s"]
            elif engine == "neo4j" and "import_s" in r:  # without the server's start and schema when not run
                bulk = r["csv_s"] + r["import_s"] + r.get("start_and_schema_s", 0)
            else:
                continue
            total = base + bulk + (fold_s if layout == "year" else 0)
            r["load_estimate_s"] = round(total, 1)
            r["load_estimate_records_per_s"] = round(records / total)


def table(result: dict) -> str:
    lines = ["| engine | layout | rows copied | COPY / import s | disk MB | rules s (job_loss / targeted / wcl) "
             "| all 14 rules s | load estimate s | records/s |", "|---|---|---:|---:|---:|---|---:|---:|---:|"]
    for engine, per in result["engines"].items():
        for layout in LAYOUTS:
            r = per.get(layout)
            if not r or "rows" not in r:
                continue
            rs = r.get("rules")
            bulk = r.get("copy_s", r.get("import_s"))
            times = (" / ".join(str(rs[c]["seconds"]) for c in MONTHLY_RULES) if rs else "not run")
            disk = r.get("disk_mb", r.get("disk_mb_imported"))
            lines.append(f"| {engine} | {layout} | {r['rows']:,} | {bulk} | {disk:,} | "
                         f"{times} | {r.get('sweep_s', '')} | {r.get('load_estimate_s')} | "
                         f"{r.get('load_estimate_records_per_s', 0):,} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
