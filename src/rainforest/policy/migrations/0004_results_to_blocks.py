# Every run kept so far becomes a done run; every result's JSON record moves into its run's blocks
# (policy/explain.py, layout version 1 with "json": each criterion's value and threshold kept as
# JSON text, so whatever a record held reads back the same). Each record is rebuilt from what was
# written and compared with the original before the run is left: a run that would not read back
# exactly stops the migration, naming it, rather than lose anything. Backwards, the records are
# written again from the blocks.
#
# Self-contained on purpose: a migration must not change when the app's code does later.

import io
import json

from django.db import migrations

CODES = {"eligible": "E", "ineligible": "I", "review": "R", "unknown": "U", "not_in_force": "N"}
VERDICTS = {c: v for v, c in CODES.items()}
RESULT = {"pass": True, "fail": False, "unknown": None}
RESULT_WORD = {True: "pass", False: "fail", None: "unknown"}
WINDOW = ("in_force_from", "in_force_to")
BLOCK_SIZE = 2000


class Unconvertible(Exception):
    pass


def _layout(run, records) -> dict:
    """What the run's records share (read once, in a stream); refuses records that do not share it."""
    tiers = {t: {"id": t, "window": {}, "scores": set(), "criteria": None} for t in run.tiers}
    for r in records:
        for t, tier in tiers.items():
            held = r["tiers"][t]
            ids = [c["id"] for c in held["criteria"]]
            if tier["criteria"] is None:
                tier["criteria"] = [
                    {"id": c["id"], "strictness": c["strictness"], "source": c["source"], "value": True,
                     "threshold_column": True}
                    for c in held["criteria"]
                ]
            elif ids != [c["id"] for c in tier["criteria"]]:
                raise Unconvertible(f"run {run.pk}: tier {t} lists different criteria for {r['uscc']}")
            if held["verdict"] == "not_in_force":
                tier["window"] = {k: held[k] for k in WINDOW if k in held}
            score = held.get("score", "absent")
            tier["scores"].add("absent" if score == "absent" else "int" if isinstance(score, int) else "range")
    out = []
    for tier in tiers.values():
        scores = tier.pop("scores")
        if "absent" in scores and len(scores) > 1:
            raise Unconvertible(f"run {run.pk}: tier {tier['id']} has a score for some enterprises only")
        tier["score"] = None if scores <= {"absent"} else "exact" if "int" in scores else "range"
        tier["criteria"] = tier["criteria"] or []
        out.append(tier)
    return {"version": 1, "json": True, "tiers": out}


def _columns(layout, records) -> dict:
    columns = {"uscc": [r["uscc"] for r in records]}
    for tier in layout["tiers"]:
        t = tier["id"]
        if tier["score"]:
            scores = [r["tiers"][t]["score"] for r in records]
            columns[f"{t}.score_min"] = [s["min"] if isinstance(s, dict) else s for s in scores]
            columns[f"{t}.score_max"] = [s["max"] if isinstance(s, dict) else s for s in scores]
        for i, c in enumerate(tier["criteria"]):
            key = f"{t}.{c['id']}"
            cells = [r["tiers"][t]["criteria"][i] for r in records]
            columns[f"{key}.result"] = [RESULT[x["result"]] for x in cells]
            columns[f"{key}.value"] = [json.dumps(x["value"], ensure_ascii=False) for x in cells]
            columns[f"{key}.threshold"] = [json.dumps(x["threshold"], ensure_ascii=False) for x in cells]
    return columns


def _record(layout, result, verdicts, row) -> dict:
    """policy.explain.record as it reads layout version 1."""
    read = json.loads if layout.get("json") else (lambda v: v)
    out = {"uscc": result.uscc, "name": result.name, "fiscal_year": result.fiscal_year, "tiers": {}}
    for tier in layout["tiers"]:
        t = tier["id"]
        entry = {"verdict": verdicts[t]}
        if verdicts[t] == "not_in_force":
            entry.update(tier["window"])
        if tier["score"]:
            low, high = row[f"{t}.score_min"], row[f"{t}.score_max"]
            entry["score"] = low if tier["score"] == "exact" and low == high else {"min": low, "max": high}
        entry["criteria"] = [
            {"id": c["id"], "result": RESULT_WORD[row[f"{t}.{c['id']}.result"]],
             "value": read(row[f"{t}.{c['id']}.value"]) if c["value"] else None,
             "threshold": read(row[f"{t}.{c['id']}.threshold"]) if c["threshold_column"] else c["threshold"],
             "strictness": c["strictness"], "source": c["source"]}
            for c in tier["criteria"]
        ]
        out["tiers"][t] = entry
    return out


def forward(apps, schema_editor):
    import polars as pl

    Run = apps.get_model("policy", "ScreeningRun")
    Result = apps.get_model("policy", "ScreeningResult")
    Block = apps.get_model("policy", "ScreeningBlock")
    for run in Run.objects.order_by("pk").iterator():
        results = Result.objects.filter(run=run).order_by("uscc")
        layout = _layout(run, results.values_list("record", flat=True).iterator(chunk_size=BLOCK_SIZE))
        # By ids, a block at a time: no cursor stays open on the table being updated (SQLite).
        ids = list(results.values_list("pk", flat=True))
        seq = screened = 0
        combinations = {}
        for start in range(0, len(ids), BLOCK_SIZE):
            part = list(Result.objects.filter(pk__in=ids[start : start + BLOCK_SIZE]).order_by("uscc"))
            records = [r.record for r in part]
            frame = pl.DataFrame(_columns(layout, records), strict=False, infer_schema_length=None)
            buffer = io.BytesIO()
            frame.write_parquet(buffer, compression="zstd", compression_level=3, statistics=False)
            Block.objects.create(run=run, seq=seq, enterprises=len(part), data=buffer.getvalue())
            back = pl.read_parquet(io.BytesIO(buffer.getvalue())).iter_rows(named=True)
            for result, record, row in zip(part, records, back, strict=True):
                result.codes = "".join(CODES[result.verdicts[t]] for t in run.tiers)
                combinations[result.codes] = combinations.get(result.codes, 0) + 1
                result.block = seq
                if _record(layout, result, result.verdicts, row) != record:
                    raise Unconvertible(f"run {run.pk}: the record of {result.uscc} would not read back as it was")
            Result.objects.bulk_update(part, ["codes", "block"], batch_size=500)
            seq, screened = seq + 1, screened + len(part)
        run.layout, run.combinations, run.status, run.screened = layout, combinations, "done", screened
        run.finished_at = run.active_at = run.created_at
        run.save(update_fields=["layout", "combinations", "status", "screened", "finished_at", "active_at"])


def backward(apps, schema_editor):
    import polars as pl

    Run = apps.get_model("policy", "ScreeningRun")
    Result = apps.get_model("policy", "ScreeningResult")
    Block = apps.get_model("policy", "ScreeningBlock")
    for run in Run.objects.filter(status="done").order_by("pk").iterator():
        layout = run.layout
        if layout.get("version") != 1:
            raise Unconvertible(f"run {run.pk}: layout version {layout.get('version')} is not known here")
        for block in Block.objects.filter(run=run).order_by("seq"):
            rows = {row["uscc"]: row for row in pl.read_parquet(io.BytesIO(bytes(block.data))).iter_rows(named=True)}
            part = list(Result.objects.filter(run=run, block=block.seq))
            for result in part:
                verdicts = {t: VERDICTS[c] for t, c in zip(run.tiers, result.codes, strict=True)}
                row = rows[result.uscc]
                if not layout.get("json"):
                    row = {k: _plain(v) for k, v in row.items()}
                result.verdicts, result.record = verdicts, _record(layout, result, verdicts, row)
            Result.objects.bulk_update(part, ["verdicts", "record"], batch_size=500)
    # Runs not done held no results before: they go with the columns that describe them.
    Run.objects.exclude(status="done").delete()
    Block.objects.all().delete()


def _plain(value):
    import datetime as dt

    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class Migration(migrations.Migration):

    dependencies = [
        ('policy', '0003_screening_jobs_and_blocks'),
    ]

    operations = [migrations.RunPython(forward, backward)]
