"""Annex A list rows mapped onto the contract's rows: children, workers and each list's stem."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from pipelines.contract import (
    CLOSURE_REASONS,
    CP_CATEGORIES,
    ETHNICITY_CODES,
    PRIMARY_NEEDS,
    REFERRAL_SOURCES,
    extract,
)
from pipelines.sources.annex_a.spec import CATEGORY_LABELS, EXTRA, SOURCE_LABELS, AnnexList
from pipelines.sources.annex_a.table import Record, Table
from pipelines.sources.annex_a.values import (
    as_date,
    cell_case_status,
    cell_code,
    cell_date,
    cell_sex,
    cell_text,
    cell_yn,
)
from pipelines.sources.result import Finding


@dataclass
class Builder:
    findings: list[Finding] = field(default_factory=list)  # shared with the tables being read
    rows: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    seen_ids: dict[str, dict[str, int]] = field(default_factory=dict)
    children: dict[str, dict[str, object]] = field(default_factory=dict)
    workers: dict[str, dict[str, object]] = field(default_factory=dict)
    cin_episodes: list[tuple[Table, dict[str, object]]] = field(default_factory=list)
    # per stem, the headers (field key -> as written) of the first sheet that gave it rows
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    la_code: str | None = None  # the council's old LA code, when a front sheet gives it

    def latest_date(self) -> date | None:
        """The latest event date of any row kept (births excepted): the return's period end.

        A date after today is a typing slip (2204 for 2024), not the period end: taken as the
        as-at date it would stretch every series two centuries ahead. It is skipped here, and
        staging quarantines its row (``implausible_date``)."""
        today = date.today()
        latest = None
        for stem, rows in self.rows.items():
            columns = [
                c.name for c in extract(stem).columns if c.kind in ("date", "datetime")
            ] + list(EXTRA.get(stem, ()))
            for row in rows:
                for column in columns:
                    when = as_date(row.get(column))
                    if when is not None and when <= today and (latest is None or when > latest):
                        latest = when
        return latest

    def make_id(self, stem: str, child_id: str | None, when: str | None) -> str | None:
        """``<child>/<date>``, with ``#2``, ``#3`` for repeats: Annex A has no record ids."""
        if child_id is None or when is None:
            return None
        base = f"{child_id}/{when}"
        count = self.seen_ids.setdefault(stem, {}).get(base, 0) + 1
        self.seen_ids[stem][base] = count
        return base if count == 1 else f"{base}#{count}"

    def add(self, stem: str, table: Table, record: Record, row: dict[str, object]) -> None:
        row |= {"sheet": table.sheet, "_source_file": table.file, "_line": record.line}
        self.headers.setdefault(stem, table.headers)
        self.rows.setdefault(stem, []).append(row)

    def add_child(self, table: Table, record: Record, child_id: str | None) -> None:
        if child_id is None:
            table.note("missing_child_id", "row has no child id", record.line, "child_id")
            return
        dob = cell_date(table, record, "dob")
        age = cell_text(table, record, "age")
        unborn = age is not None and age.startswith("-")  # the template asks age -1 for the unborn
        values = {
            "date_of_birth": None if unborn else dob,
            "expected_date_of_birth": dob if unborn else None,
            "sex": cell_sex(table, record),
            "ethnicity": cell_code(table, record, "ethnicity", ETHNICITY_CODES),
            "disability": cell_yn(table, record, "disability"),
        }
        child = self.children.get(child_id)
        if child is None:
            self.headers.setdefault("children", table.headers)
            self.children[child_id] = {
                "child_id": child_id,
                **values,
                "sheet": table.sheet,
                "_source_file": table.file,
                "_line": record.line,
            }
            return
        for column, value in values.items():
            if value is None:
                continue
            if child[column] is None:
                child[column] = value
            elif child[column] != value:
                table.note(
                    "conflicting_child",
                    f"the child's {column} differs from an earlier list's; the first is kept",
                    record.line,
                    column,
                )

    def add_worker(self, table: Table, record: Record, worker: str, team: str | None) -> None:
        """A worker as first named; Annex A says nothing else about them."""
        if worker not in self.workers:
            self.headers.setdefault("workers", table.headers)
            self.workers[worker] = {
                "worker_id": worker,
                "team": team,
                "sheet": table.sheet,
                "_source_file": table.file,
                "_line": record.line,
            }

    def read(self, annex_list: AnnexList, table: Table, record: Record) -> None:
        child_id = cell_text(table, record, "child_id")
        self.add_child(table, record, child_id)
        team = cell_text(table, record, "team")
        worker = cell_text(table, record, "worker")
        if worker is not None:
            self.add_worker(table, record, worker, team)
        number = annex_list.number
        if number == 1:
            when = cell_date(table, record, "contact_date", keep_time=True)
            self.add("contacts", table, record, {
                "contact_id": self.make_id("contacts", child_id, when),
                "child_id": child_id,
                "contact_datetime": when,
                "source": cell_code(table, record, "contact_source", REFERRAL_SOURCES, SOURCE_LABELS),
            })  # fmt: skip
        elif number == 3:
            when = cell_date(table, record, "referral_date")
            self.add("referrals", table, record, {
                "referral_id": self.make_id("referrals", child_id, when),
                "child_id": child_id,
                "referral_date": when,
                "source": cell_code(table, record, "referral_source", REFERRAL_SOURCES, SOURCE_LABELS),
                "nfa": cell_yn(table, record, "referral_nfa"),
                "team": team,
            })  # fmt: skip
        elif number == 4:
            start = cell_date(table, record, "assessment_start")
            self.add("assessments", table, record, {
                "assessment_id": self.make_id("assessments", child_id, start),
                "child_id": child_id,
                # List 4 is continuous assessments: the single assessment of Working Together
                "assessment_type": "SINGLE",
                "start_date": start,
                "completed_date": cell_date(table, record, "assessment_authorised"),
                "child_seen": cell_yn(table, record, "child_seen"),
                "further_action": cell_yn(table, record, "further_action"),
                "team": team,
                "worker_id": worker,
            })  # fmt: skip
        elif number == 5:
            start = cell_date(table, record, "s47_start")
            self.add("s47_enquiries", table, record, {
                "s47_id": self.make_id("s47_enquiries", child_id, start),
                "child_id": child_id,
                "strategy_discussion_date": start,
                "icpc_not_required": cell_yn(table, record, "icpc_unnecessary"),
                "icpc_date": cell_date(table, record, "icpc_date"),
                "icpc_resulted_in_plan": cell_yn(table, record, "icpc_plan"),
                "team": team,
            })  # fmt: skip
        elif number == 6:
            self.cin_episodes.append((table, {
                "child_id": child_id,
                "referral_date": cell_date(table, record, "cin_start"),
                "primary_need": cell_code(table, record, "primary_need", PRIMARY_NEEDS),
                "closure_date": cell_date(table, record, "cin_closure"),
                "closure_reason": cell_code(table, record, "closure_reason", CLOSURE_REASONS),
                # a child in need plan (or other status) on the return's date, without its
                # dates: kept beside the referral, never made a cin_plans row
                "case_status": cell_case_status(table, record),
            }))  # fmt: skip
        elif number == 7:
            start = cell_date(table, record, "cpp_start")
            self.add("cp_plans", table, record, {
                "plan_id": self.make_id("cp_plans", child_id, start),
                "child_id": child_id,
                "start_date": start,
                "end_date": cell_date(table, record, "cpp_end"),
                "initial_category": cell_code(table, record, "initial_category", CP_CATEGORIES, CATEGORY_LABELS),
                "latest_category": cell_code(table, record, "latest_category", CP_CATEGORIES, CATEGORY_LABELS),
                "number_of_previous_plans": cell_text(table, record, "previous_cpps"),
                "team": team,
                # List 7 gives only the latest review and visit, not their history, so they stay
                # beside the plan: as cp_reviews/cp_visits rows they would make the review-chain
                # and seen-alone metrics look computable when they are not
                "latest_review_date": cell_date(table, record, "latest_review"),
                "latest_visit_date": cell_date(table, record, "last_visit"),
                "latest_visit_seen_alone": cell_yn(table, record, "seen_alone"),
            })  # fmt: skip

    def apply_cin_episodes(self) -> None:
        """List 6 adds need and closure to the List 3 referral with the same child and start.

        An episode whose referral is not on List 3 (which covers six months only) is not made a
        referral: it would count as a referral in a period the extract does not cover.
        """
        # every copy of a referral keyed twice (same child and date): the pipeline merges them
        # later, and a copy left without the closure would make the merged referral read as open
        referrals: dict[tuple[object, object], list[dict[str, object]]] = {}
        for referral in self.rows.get("referrals", []):
            referrals.setdefault((referral["child_id"], referral["referral_date"]), []).append(
                referral
            )
        unmatched = 0
        for _table, episode in self.cin_episodes:
            copies = referrals.get((episode["child_id"], episode["referral_date"]))
            if not copies:
                unmatched += 1
                continue
            for referral in copies:
                for column in ("primary_need", "closure_date", "closure_reason", "case_status"):
                    if episode[column] is not None:
                        referral[column] = episode[column]
        if unmatched:
            table = self.cin_episodes[0][0]
            self.findings.append(
                Finding(
                    table.file,
                    "cin_episode_not_referred",
                    f"{unmatched} of {len(self.cin_episodes)} List 6 episodes start on no List 3 "
                    "referral date; their need and closure are not loaded as referrals",
                    table.sheet,
                )
            )
