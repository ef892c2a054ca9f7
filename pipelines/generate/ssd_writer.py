"""Write a simulated council as a Standard Safeguarding Dataset export: one CSV per ``ssd_*``
table, as a council's analyst saves SQL Server query results (docs/formats.md "SSD").

What makes it a real export rather than the schema's ideal (each is read back by
pipelines/sources/ssd):

- SSMS "Save Results As": UTF-8 with a BOM, CRLF line ends, the literal ``NULL``, datetimes as
  ``YYYY-MM-DD HH:MM:SS.fff``, JSON outcome columns quoted with their quotes doubled;
- two tables (ssd_cp_visits, ssd_missing) have been through Excel: dates ``DD/MM/YYYY``;
- teams are ssd_department ids; CP categories are descriptions ("Neglect");
- outcome JSON is built by hand as the SystemC deployment does: contacts and referrals count
  ``NUMBER_OF_OUTCOMES``, assessments ``TOTAL_NO_OF_OUTCOMES``, and a comment with a quote in it
  is not escaped (every 40th contact), which makes that JSON invalid;
- an assessment not yet authorised has the ``1900-01-01`` placeholder for its date (SystemC's
  ISNULL(..., '1900-01-01'));
- an enquiry whose conference is needed but not held has a planned ICPC row with a NULL date; an
  open plan has its next review scheduled (a row with a due date and a NULL review date);
- involvements list co-workers as well as the allocated worker.

Nothing is invented: a value the council's records leave blank is NULL. Names are never written
(the SSD has them; a synthetic export has no use for them, and NULL is what a redacted one holds).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from pipelines.generate.annex_a_writer import frames_as_at

CATEGORIES = {
    "NEG": "Neglect",
    "PHY": "Physical abuse",
    "SAB": "Sexual abuse",
    "EMO": "Emotional abuse",
    "MUL": "Multiple",
}
END_REASONS = {
    "OUTCOMES_MET": "Outcomes met",
    "STEP_UP": "Step up to children's social care",
    "DECLINED": "Consent withdrawn",
    "MOVED": "Moved out of area",
    "OTHER": "Other",
}
CONTACT_FLAGS = {
    "REFERRAL": "NEW_REFERRAL_FLAG",
    "NFA": "NFA_FLAG",
    "INFO_ADVICE": "ADVICE_FLAG",
    "EARLY_HELP": "EARLY_HELP_FLAG",
    "OTHER": "OTHER_OUTCOMES_EXIST_FLAG",
}
EXCEL_TABLES = ("ssd_cp_visits", "ssd_missing")
FIRST_DEPARTMENT = 1001


def _cell(value: object, excel: bool) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, dt.datetime):
        if excel:
            return value.strftime("%d/%m/%Y %H:%M")
        return value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond // 1000:03d}"
    if isinstance(value, dt.date):
        if excel:
            return value.strftime("%d/%m/%Y")
        return value.strftime("%Y-%m-%d 00:00:00.000")
    return str(value)


def _write(out: Path, table: str, headers: list[str], rows: Iterable[Iterable[object]]) -> int:
    excel = table in EXCEL_TABLES
    count = 0
    with (out / f"{table}.csv").open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(headers)
        for row in rows:
            writer.writerow([_cell(v, excel) for v in row])
            count += 1
    return count


def _json(pairs: dict[str, object], comment: str) -> str:
    """Outcome JSON as the deployments concatenate it: flags, a count, then the comment pasted
    in without escaping (so a quote in it breaks the JSON)."""
    body = ", ".join(f'"{k}": {json.dumps(v)}' for k, v in pairs.items())
    return "{" + body + f', "COMMENTS": "{comment}"' + "}"


def _yn(value: object) -> str | None:
    return value if value in ("Y", "N") else None


def write_ssd(
    frames: dict[str, pl.DataFrame], out: Path, as_at: dt.date | None = None
) -> dict[str, int]:
    """Write the council as SSD tables in ``out`` (taken as at ``as_at`` when given: later events
    have not happened yet). Returns the data rows written per file name."""
    out.mkdir(parents=True, exist_ok=True)
    f = frames_as_at(frames, as_at) if as_at else frames
    teams = sorted(
        {t for stem in ("referrals", "assessments", "s47_enquiries", "allocations", "workers", "cin_plans")
         for t in f[stem]["team"].drop_nulls().unique().to_list()}
    )  # fmt: skip
    dept = {team: str(FIRST_DEPARTMENT + i) for i, team in enumerate(teams)}
    written: dict[str, int] = {}

    def put(table: str, headers: list[str], rows: Iterable[Iterable[object]]) -> None:
        written[f"{table}.csv"] = _write(out, table, headers, rows)

    put(
        "ssd_department",
        ["dept_team_id", "dept_team_name", "dept_team_parent_id", "dept_team_parent_name"],
        ([dept[t], t, None, "Children's Social Care"] for t in teams),
    )
    c = f["children"]
    put(
        "ssd_person",
        ["pers_person_id", "pers_forename", "pers_surname", "pers_sex", "pers_gender",
         "pers_ethnicity", "pers_dob", "pers_common_child_id", "pers_upn_unknown",
         "pers_send_flag", "pers_expected_dob", "pers_death_date", "pers_is_mother",
         "pers_nationality"],
        ([r["child_id"], None, None, r["sex"], None, r["ethnicity"], r["date_of_birth"], None,
          None, None, r["expected_date_of_birth"], None, None, None]
         for r in c.iter_rows(named=True)),
    )  # fmt: skip

    def contact_json(i: int, outcome: str | None) -> str:
        flags = {flag: "Y" if CONTACT_FLAGS.get(outcome or "") == flag else "N"
                 for flag in ("NEW_REFERRAL_FLAG", "EXISTING_REFERRAL_FLAG", "CP_ENQUIRY_FLAG",
                              "NFA_FLAG", "ADVICE_FLAG", "EARLY_HELP_FLAG",
                              "OTHER_OUTCOMES_EXIST_FLAG")}  # fmt: skip
        if outcome is None:
            flags = dict.fromkeys(flags, "")
        flags["NUMBER_OF_OUTCOMES"] = 0 if outcome is None else 1
        return _json(flags, 'Mum says "not again"' if i % 40 == 39 else "")

    put(
        "ssd_contacts",
        ["cont_contact_id", "cont_person_id", "cont_contact_date", "cont_contact_source_code",
         "cont_contact_source_desc", "cont_contact_outcome_json"],
        ([r["contact_id"], r["child_id"], r["contact_datetime"], r["source"], None,
          contact_json(i, r["outcome"])]
         for i, r in enumerate(f["contacts"].iter_rows(named=True))),
    )  # fmt: skip
    put(
        "ssd_cin_episodes",
        ["cine_referral_id", "cine_person_id", "cine_referral_date", "cine_cin_primary_need_code",
         "cine_referral_source_code", "cine_referral_source_desc", "cine_referral_outcome_json",
         "cine_referral_nfa", "cine_close_reason", "cine_close_date", "cine_referral_team",
         "cine_referral_worker_id"],
        ([r["referral_id"], r["child_id"], r["referral_date"], r["primary_need"], r["source"],
          None, _json({"SINGLE_ASSESSMENT_FLAG": "N" if r["nfa"] == "Y" else "Y",
                       "NUMBER_OF_OUTCOMES": 1}, ""),
          _yn(r["nfa"]), r["closure_reason"], r["closure_date"], dept.get(r["team"]), None]
         for r in f["referrals"].iter_rows(named=True)),
    )  # fmt: skip
    put(
        "ssd_cin_assessments",
        ["cina_assessment_id", "cina_person_id", "cina_referral_id", "cina_assessment_start_date",
         "cina_assessment_child_seen", "cina_assessment_auth_date", "cina_assessment_outcome_json",
         "cina_assessment_outcome_nfa", "cina_assessment_team", "cina_assessment_worker_id"],
        ([r["assessment_id"], r["child_id"], r["referral_id"], r["start_date"],
          _yn(r["child_seen"]), r["completed_date"] or dt.date(1900, 1, 1),
          _json({"NFA_FLAG": {"Y": "N", "N": "Y"}.get(r["further_action"], ""),
                 "TOTAL_NO_OF_OUTCOMES": 1}, ""),
          {"Y": "N", "N": "Y"}.get(r["further_action"]), dept.get(r["team"]), r["worker_id"]]
         for r in f["assessments"].iter_rows(named=True)),
    )  # fmt: skip
    s47 = f["s47_enquiries"]
    put(
        "ssd_s47_enquiry",
        ["s47e_s47_enquiry_id", "s47e_referral_id", "s47e_person_id", "s47e_s47_start_date",
         "s47e_s47_end_date", "s47e_s47_nfa", "s47e_s47_outcome_json",
         "s47e_s47_completed_by_team", "s47e_s47_completed_by_worker_id"],
        ([r["s47_id"], r["referral_id"], r["child_id"], r["strategy_discussion_date"],
          r["end_date"], None,
          _json({"CP_CONFERENCE_FLAG": {"Y": "N", "N": "Y"}.get(r["icpc_not_required"], ""),
                 "TOTAL_NO_OF_OUTCOMES": 1}, ""),
          dept.get(r["team"]), None]
         for r in s47.iter_rows(named=True)),
    )  # fmt: skip
    # a held conference, or a planned one (needed, no date yet)
    icpcs = s47.filter(pl.col("icpc_date").is_not_null() | (pl.col("icpc_not_required") == "N"))
    put(
        "ssd_initial_cp_conference",
        ["icpc_icpc_id", "icpc_icpc_meeting_id", "icpc_s47_enquiry_id", "icpc_person_id",
         "icpc_cp_plan_id", "icpc_referral_id", "icpc_icpc_transfer_in", "icpc_icpc_target_date",
         "icpc_icpc_date", "icpc_icpc_outcome_cp_flag", "icpc_icpc_outcome_json", "icpc_icpc_team",
         "icpc_icpc_worker_id"],
        ([f"ICPC{i + 1:06d}", None, r["s47_id"], r["child_id"], None, r["referral_id"],
          _yn(r["icpc_transfer_in"]), None, r["icpc_date"], _yn(r["icpc_resulted_in_plan"]),
          None, dept.get(r["team"]), None]
         for i, r in enumerate(icpcs.iter_rows(named=True))),
    )  # fmt: skip
    plans = f["cp_plans"]
    put(
        "ssd_cp_plans",
        ["cppl_cp_plan_id", "cppl_referral_id", "cppl_icpc_id", "cppl_person_id",
         "cppl_cp_plan_start_date", "cppl_cp_plan_end_date", "cppl_cp_plan_ola",
         "cppl_cp_plan_initial_category", "cppl_cp_plan_latest_category"],
        ([r["plan_id"], r["referral_id"], None, r["child_id"], r["start_date"], r["end_date"],
          None, CATEGORIES.get(r["initial_category"]), CATEGORIES.get(r["latest_category"])]
         for r in plans.iter_rows(named=True)),
    )  # fmt: skip
    person = dict(zip(plans["plan_id"], plans["child_id"], strict=True))
    put("ssd_cp_reviews", *_reviews(f["cp_reviews"], plans, person))
    put(
        "ssd_cp_visits",
        ["cppv_cp_visit_id", "cppv_person_id", "cppv_cp_plan_id", "cppv_cp_visit_date",
         "cppv_cp_visit_seen", "cppv_cp_visit_seen_alone", "cppv_cp_visit_bedroom"],
        ([f"V{i + 1:07d}", person.get(r["plan_id"]), r["plan_id"], r["visit_date"], "Y",
          _yn(r["seen_alone"]), None]
         for i, r in enumerate(f["cp_visits"].iter_rows(named=True))),
    )  # fmt: skip
    put("ssd_involvements", *_involvements(f["allocations"], dept))
    put(
        "ssd_professionals",
        ["prof_professional_id", "prof_staff_id", "prof_professional_name",
         "prof_social_worker_registration_no", "prof_agency_worker_flag",
         "prof_professional_job_title", "prof_professional_caseload",
         "prof_professional_department", "prof_full_time_equivalency"],
        ([r["worker_id"], r["worker_id"], None,
          f"SW{int(r['worker_id']) + 40000:06d}" if r["qualified_social_worker"] == "Y" else None,
          {"AGENCY": "Y", "PERMANENT": "N"}.get(r["employment"]),
          "Social Worker" if r["qualified_social_worker"] == "Y" else "Family Support Worker",
          None, dept.get(r["team"]), 1.0]
         for r in f["workers"].iter_rows(named=True)),
    )  # fmt: skip
    put(
        "ssd_early_help_episodes",
        ["earl_episode_id", "earl_person_id", "earl_episode_start_date", "earl_episode_end_date",
         "earl_episode_reason", "earl_episode_end_reason", "earl_episode_organisation",
         "earl_episode_worker_id"],
        ([r["episode_id"], r["child_id"], r["start_date"], r["end_date"], None,
          END_REASONS.get(r["end_reason"]), None, None]
         for r in f["early_help"].iter_rows(named=True)),
    )  # fmt: skip
    put(
        "ssd_cin_plans",
        ["cinp_cin_plan_id", "cinp_referral_id", "cinp_person_id", "cinp_cin_plan_start_date",
         "cinp_cin_plan_end_date", "cinp_cin_plan_team", "cinp_cin_plan_worker_id"],
        ([r["plan_id"], r["referral_id"], r["child_id"], r["start_date"], r["end_date"],
          dept.get(r["team"]), None]
         for r in f["cin_plans"].iter_rows(named=True)),
    )  # fmt: skip
    put(
        "ssd_missing",
        ["miss_table_id", "miss_person_id", "miss_missing_episode_start_date",
         "miss_missing_episode_type", "miss_missing_episode_end_date", "miss_missing_rhi_offered",
         "miss_missing_rhi_accepted"],
        ([r["episode_id"], r["child_id"], r["start_date"], "Missing", r["return_date"],
          _yn(r["return_interview_offered"]) or "NA", None]
         for r in f["missing_episodes"].iter_rows(named=True)),
    )  # fmt: skip
    return written


def _reviews(
    reviews: pl.DataFrame, plans: pl.DataFrame, person: dict[str, str]
) -> tuple[list[str], list[list[object]]]:
    """Held reviews, and for each open plan its next review scheduled: a due date, no date."""
    headers = ["cppr_cp_review_id", "cppr_person_id", "cppr_cp_plan_id", "cppr_cp_review_due",
               "cppr_cp_review_date", "cppr_cp_review_meeting_id",
               "cppr_cp_review_outcome_continue_cp", "cppr_cp_review_quorate",
               "cppr_cp_review_participation"]  # fmt: skip
    rows: list[list[object]] = [
        [f"R{i + 1:06d}", person.get(r["plan_id"]), r["plan_id"], None, r["review_date"], None,
         None, None, r["participation"]]
        for i, r in enumerate(reviews.iter_rows(named=True))
    ]  # fmt: skip
    last = dict(reviews.group_by("plan_id").agg(pl.col("review_date").max()).iter_rows())
    for r in plans.filter(pl.col("end_date").is_null()).iter_rows(named=True):
        held = last.get(r["plan_id"])
        due = (held or r["start_date"]) + dt.timedelta(days=182 if held else 91)
        rows.append([f"R{len(rows) + 1:06d}", r["child_id"], r["plan_id"], due, None, None,
                     None, None, None])  # fmt: skip
    return headers, rows


def _involvements(
    allocations: pl.DataFrame, dept: dict[str, str]
) -> tuple[list[str], list[list[object]]]:
    """Each allocation as an allocated-worker involvement; every 10th also has a co-worker (the
    same worker as a "Co-worker": not an allocation, left out by the reader)."""
    headers = ["invo_involvements_id", "invo_professional_id", "invo_professional_role_id",
               "invo_professional_team", "invo_person_id", "invo_involvement_start_date",
               "invo_involvement_end_date", "invo_worker_change_reason", "invo_referral_id"]  # fmt: skip
    rows: list[list[object]] = []
    for i, r in enumerate(allocations.iter_rows(named=True)):
        values = [r["worker_id"], "Allocated Case Worker", dept.get(r["team"]), r["child_id"],
                  r["start_date"], r["end_date"], None, r["referral_id"]]  # fmt: skip
        rows.append([r["allocation_id"], *values])
        if i % 10 == 9:
            rows.append([f"{r['allocation_id']}-CW", r["worker_id"], "Co-worker", *values[2:]])
    return headers, rows
