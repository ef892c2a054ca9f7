"""Write a simulated council as a DfE CSC API payload: its child records in the DfE's structure
(data-to-insight/dfe-csc-api-data-flows, docs/json_payload_structure.md), as the object
``{"la_code": ..., "Children": [...]}`` or as JSON lines, one child record per line.

Each child gets its details and its social care episodes (one per referral) holding the
episode's child and family assessments, CIN plans, section 47 enquiries, CP plans and case
workers (allocations). A record whose referral_id is blank goes in the child's episode open on
its start date (the latest such); one with none is not written. The payload has no contacts,
reviews, visits, early help, team or worker details: none are written. Every ``purge`` is false.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

import polars as pl

from pipelines.generate.annex_a_writer import frames_as_at

# stem -> (the episode's list, id key, (payload key, frame column) ...)
NESTED = {
    "assessments": (
        "child_and_family_assessments",
        "child_and_family_assessment_id",
        (("start_date", "start_date"), ("authorisation_date", "completed_date")),
    ),
    "cin_plans": (
        "child_in_need_plans",
        "child_in_need_plan_id",
        (("start_date", "start_date"), ("end_date", "end_date")),
    ),
    "s47_enquiries": (
        "section_47_assessments",
        "section_47_assessment_id",
        (
            ("start_date", "strategy_discussion_date"),
            ("icpc_date", "icpc_date"),
            ("end_date", "end_date"),
        ),
    ),
    "cp_plans": (
        "child_protection_plans",
        "child_protection_plan_id",
        (("start_date", "start_date"), ("end_date", "end_date")),
    ),
}
ID_COLUMN = {
    "assessments": "assessment_id",
    "cin_plans": "plan_id",
    "s47_enquiries": "s47_id",
    "cp_plans": "plan_id",
}
START = {
    "assessments": "start_date",
    "cin_plans": "start_date",
    "s47_enquiries": "strategy_discussion_date",
    "cp_plans": "start_date",
    "allocations": "start_date",
}


def _date(value: object) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else None


def _episode_of(referrals: pl.DataFrame, frame: pl.DataFrame, start: str) -> pl.DataFrame:
    """Rows with their referral_id, a blank one filled with the child's latest episode open on
    the row's start date."""
    blank = frame.filter(pl.col("referral_id").is_null())
    if blank.height == 0:
        return frame
    windows = referrals.select(
        "child_id", episode="referral_id", episode_start="referral_date", episode_end="closure_date"
    )
    placed = (
        blank.with_row_index("_row")
        .join(windows, on="child_id", how="inner")
        .filter(
            (pl.col("episode_start") <= pl.col(start))
            & (pl.col("episode_end").is_null() | (pl.col("episode_end") >= pl.col(start)))
        )
        .sort("episode_start")
        .group_by("_row")
        .last()
        .with_columns(referral_id=pl.col("episode"))
        .select(frame.columns)
    )
    return pl.concat([frame.filter(pl.col("referral_id").is_not_null()), placed])


def child_records(frames: dict[str, pl.DataFrame], as_at: dt.date | None = None) -> list[dict]:
    """Every child with a referral, as a CSC API child record."""
    f = frames_as_at(frames, as_at) if as_at else frames
    referrals = f["referrals"]
    inside: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for stem, (key, id_key, fields) in NESTED.items():
        for r in _episode_of(referrals, f[stem], START[stem]).iter_rows(named=True):
            item: dict[str, object] = {id_key: r[ID_COLUMN[stem]]}
            item |= {k: _date(r[column]) for k, column in fields}
            if stem == "s47_enquiries":
                item["icpc_required_flag"] = {"N": True, "Y": False}.get(r["icpc_not_required"])
            item["purge"] = False
            inside[r["referral_id"]][key].append(item)
    for r in _episode_of(referrals, f["allocations"], "start_date").iter_rows(named=True):
        inside[r["referral_id"]]["care_worker_details"].append(
            {"worker_id": r["worker_id"], "start_date": _date(r["start_date"]),
             "end_date": _date(r["end_date"])}
        )  # fmt: skip
    episodes: dict[str, list[dict]] = defaultdict(list)
    for r in referrals.iter_rows(named=True):
        nested = inside.get(r["referral_id"], {})
        episodes[r["child_id"]].append({
            "social_care_episode_id": r["referral_id"],
            "referral_date": _date(r["referral_date"]),
            "referral_source": r["source"],
            "referral_no_further_action_flag": {"Y": True, "N": False}.get(r["nfa"]),
            "closure_date": _date(r["closure_date"]),
            "closure_reason": r["closure_reason"],
            "care_worker_details": nested.get("care_worker_details", []),
            **{key: nested.get(key, []) for key, _, _ in NESTED.values()},
            "purge": False,
        })  # fmt: skip
    records = []
    for c in f["children"].iter_rows(named=True):
        if c["child_id"] not in episodes:
            continue
        disability = {"Y": ["DDA"], "N": ["NONE"]}.get(c["disability"], [])
        records.append({
            "la_child_id": c["child_id"],
            "mis_child_id": c["child_id"],
            "purge": False,
            "child_details": {
                "date_of_birth": _date(c["date_of_birth"]),
                "expected_date_of_birth": _date(c["expected_date_of_birth"]),
                "sex": c["sex"],
                "ethnicity": c["ethnicity"],
                "disabilities": disability,
                "purge": False,
            },
            "social_care_episodes": episodes[c["child_id"]],
        })  # fmt: skip
    return records


def write_csc_api(
    frames: dict[str, pl.DataFrame],
    out: Path,
    as_at: dt.date | None = None,
    la_code: int = 999,
    lines: bool = False,
) -> Path:
    """Write the payload to ``out/csc_api_payload.json`` (or ``.jsonl`` with ``lines``)."""
    out.mkdir(parents=True, exist_ok=True)
    records = child_records(frames, as_at)
    if lines:
        path = out / "csc_api_payload.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for record in records:
                f.write(json.dumps({"la_code": la_code, **record}) + "\n")
        return path
    path = out / "csc_api_payload.json"
    with path.open("w", encoding="utf-8") as f:
        json.dump({"la_code": la_code, "Children": records}, f, indent=1)
    return path
