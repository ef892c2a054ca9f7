"""Plant a known set of faults in a council's CSV extracts, and say exactly what was planted.

``plant_faults(folder, seed)`` appends rows to the contract CSVs of ``folder`` (as written by
``frontdoor generate``): each fault gets its own new child (ids start ``ZZF``) so that no two
faults, and no fault and the existing rows, can interact. Rows that only give a fault its context
(the child, a valid S47 before a plan) are clean. Existing rows are never changed, so every line
number of the original files still means the same row.

Each PlantedFault names the file, line, column and rule under which validation must report it
(marts.data_quality_rows: ``kind``, ``rule``, ``stem``, ``line``), exactly once.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass
from pathlib import Path

from pipelines.contract import extract


@dataclass(frozen=True)
class PlantedFault:
    """One fault: where it is and the finding it must produce."""

    file: str  # file name, e.g. "assessments.csv"
    stem: str
    line: int  # physical line of the row (header = line 1)
    column: str  # the column at fault (for a whole-row rule, the column that links or orders)
    rule: str  # the rule name in marts.data_quality_rows
    kind: str  # quarantine | rule | cross_file
    description: str


class _Csv:
    """A contract CSV being appended to: its header, encoding and next line number."""

    def __init__(self, path: Path) -> None:
        self.path = path
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
            self.encoding = "utf-8"
        except UnicodeDecodeError:
            text = data.decode("cp1252")
            self.encoding = "cp1252"
        self.header = [h.strip().lower() for h in next(csv.reader(io.StringIO(text)))]
        self.needs_newline = bool(data) and not data.endswith(b"\n")
        self.next_line = data.count(b"\n") + 1 + (1 if self.needs_newline else 0)
        self.rows: list[list[str]] = []

    def add(self, row: dict[str, str]) -> int:
        """Queue a row (contract column -> text; others blank); its line number."""
        self.rows.append([row.get(h, "") for h in self.header])
        line = self.next_line
        self.next_line += 1
        return line

    def write(self) -> None:
        if not self.rows:
            return
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(self.rows)
        with self.path.open("ab") as f:
            if self.needs_newline:
                f.write(b"\n")
            f.write(out.getvalue().encode(self.encoding))


def _parse_date(text: str) -> dt.date | None:
    text = text.strip()[:10]
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _column_dates(path: Path, column: str) -> list[dt.date]:
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as f:
        reader = csv.DictReader(f)
        names = {(n or "").strip().lower(): n for n in reader.fieldnames or []}
        if column not in names:
            return []
        return [d for r in reader if (d := _parse_date(r[names[column]] or "")) is not None]


def _find(folder: Path, stem: str) -> Path | None:
    for p in sorted(folder.iterdir()):
        if p.name.lower() == extract(stem).filename:
            return p
    return None


def plant_faults(folder: Path, seed: int) -> list[PlantedFault]:
    """Append the known faults to the CSVs in ``folder``; what was planted, in file/line order.

    Needs contacts, referrals and assessments; faults in other files are planted when the file
    (and the files their rule needs) are present.
    """
    folder = Path(folder)
    rng = random.Random(seed)
    files = {stem: _Csv(p) for stem in _STEMS if (p := _find(folder, stem)) is not None}
    for needed in ("contacts", "referrals", "assessments"):
        if needed not in files:
            raise FileNotFoundError(f"{folder} has no {needed}.csv to plant faults in")
    dates = _column_dates(files["referrals"].path, "referral_date") + _column_dates(
        files["contacts"].path, "contact_datetime"
    )
    if not dates:
        raise ValueError(f"{folder}: no referral or contact dates to place the faults among")
    extract_date = max(dates)
    # Well inside the data: a year or more before the extract date, on a weekday.
    day = extract_date - dt.timedelta(days=400 + rng.randint(0, 60))
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    tag = f"{rng.randint(0, 9999):04d}"
    planted: list[PlantedFault] = []
    counter = iter(range(1, 1000))

    def iso(offset: int) -> str:
        return (day + dt.timedelta(days=offset)).isoformat()

    def new_child(born: dt.date | None = None) -> str:
        child = f"ZZF{tag}C{next(counter):02d}"
        if "children" in files:
            files["children"].add(
                {
                    "child_id": child,
                    "date_of_birth": (born or day - dt.timedelta(days=8 * 365)).isoformat(),
                    "sex": "M",
                    "ethnicity": "WBRI",
                    "disability": "N",
                }
            )
        return child

    def note(stem: str, line: int, column: str, rule: str, kind: str, what: str) -> None:
        planted.append(PlantedFault(files[stem].path.name, stem, line, column, rule, kind, what))

    def contact(child: str, **over: str) -> dict[str, str]:
        n = next(counter)
        return {
            "contact_id": f"ZZF{tag}K{n:02d}",
            "child_id": child,
            "contact_datetime": f"{iso(0)}T10:00",
            "source": "1A",
            "decision_datetime": f"{iso(0)}T15:00",
            "outcome": "NFA",
            "out_of_hours": "N",
            "team": "Duty and Assessment",
        } | over

    def referral(child: str, **over: str) -> dict[str, str]:
        n = next(counter)
        return {
            "referral_id": f"ZZF{tag}R{n:02d}",
            "child_id": child,
            "referral_date": iso(0),
            "source": "1A",
            "primary_need": "N1",
            "nfa": "N",
            "closure_date": iso(30),
            "closure_reason": "RC8",
            "team": "Duty and Assessment",
        } | over

    def assessment(child: str, **over: str) -> dict[str, str]:
        n = next(counter)
        return {
            "assessment_id": f"ZZF{tag}A{n:02d}",
            "child_id": child,
            "assessment_type": "SINGLE",
            "start_date": iso(0),
            "completed_date": iso(20),
            "child_seen": "Y",
            "child_seen_alone": "N",
            "further_action": "N",
            "team": "Duty and Assessment",
        } | over

    def s47(child: str, **over: str) -> dict[str, str]:
        n = next(counter)
        return {
            "s47_id": f"ZZF{tag}S{n:02d}",
            "child_id": child,
            "strategy_discussion_date": iso(-30),
            "end_date": iso(-20),
            "icpc_not_required": "N",
            "icpc_date": iso(-20),
            "icpc_transfer_in": "N",
            "icpc_resulted_in_plan": "Y",
            "team": "Child Protection",
        } | over

    def plan(child: str, **over: str) -> dict[str, str]:
        n = next(counter)
        return {
            "plan_id": f"ZZF{tag}P{n:02d}",
            "child_id": child,
            "start_date": iso(-20),
            "end_date": iso(200),
            "initial_category": "NEG",
            "latest_category": "NEG",
            "number_of_previous_plans": "0",
            "team": "Child Protection",
        } | over

    # --- Rows that cannot be used: staging quarantines them.
    c = files["contacts"]
    line = c.add(contact(new_child(), contact_datetime="not a date"))
    note("contacts", line, "contact_datetime", "not_a_datetime", "quarantine", "untypable")
    good = contact(new_child())
    c.add(good)
    line = c.add(good | {"team": "Emergency Duty Team"})
    note("contacts", line, "contact_id", "duplicate_id", "quarantine", "a repeated contact_id")
    line = c.add(contact(new_child(), child_id=""))
    note("contacts", line, "child_id", "required", "quarantine", "a blank required child_id")
    a = files["assessments"]
    line = a.add(assessment(new_child(), start_date="31/02/2012", completed_date=""))
    note("assessments", line, "start_date", "not_a_date", "quarantine", "31 February")
    line = a.add(assessment(new_child(), assessment_type="QUICK"))
    note("assessments", line, "assessment_type", "unknown_code", "quarantine", "required code")

    # --- Rows kept and reported: the suites' rules.
    r = files["referrals"]
    line = r.add(referral(new_child(), primary_need="N99"))
    note("referrals", line, "primary_need", "unknown_code", "rule", "unknown optional code")
    line = a.add(assessment(new_child(), completed_date=iso(-5)))
    note("assessments", line, "completed_date", "date_order", "rule", "completed before start")
    future = (extract_date + dt.timedelta(days=365)).isoformat()
    line = a.add(assessment(new_child(), completed_date=future))
    note("assessments", line, "completed_date", "after_as_at", "rule", "completed in the future")
    born = day + dt.timedelta(days=100)
    line = r.add(referral(new_child(born=born)))
    note("referrals", line, "referral_date", "before_birth", "rule", "referred before birth")
    if "s47_enquiries" in files:
        line = files["s47_enquiries"].add(
            s47(new_child(), strategy_discussion_date=iso(0), icpc_date=iso(-3), end_date=iso(5))
        )
        note("s47_enquiries", line, "icpc_date", "date_order", "rule", "ICPC before strategy")
    if "cp_plans" in files:
        child = new_child()
        if "s47_enquiries" in files:
            files["s47_enquiries"].add(s47(child))
        line = files["cp_plans"].add(plan(child, start_date=iso(-10), end_date=iso(-15)))
        note("cp_plans", line, "end_date", "date_order", "rule", "plan ends before it starts")

    # --- Rows kept and reported: the cross-file rules.
    line = a.add(assessment(new_child(), referral_id=f"ZZF{tag}NOREF"))
    note("assessments", line, "referral_id", "orphan_referral", "cross_file", "no such referral")
    if "children" in files:
        line = c.add(contact(f"ZZF{tag}NOCHILD"))
        note("contacts", line, "child_id", "orphan_child", "cross_file", "child not in children")
    child = new_child()
    r.add(referral(child, referral_date=iso(-50), closure_date=""))
    line = r.add(referral(child))
    note("referrals", line, "referral_date", "two_open_referrals", "cross_file", "second open")
    if "cp_plans" in files:
        child = new_child()
        if "s47_enquiries" in files:
            files["s47_enquiries"].add(s47(child))
        files["cp_plans"].add(plan(child, end_date=""))
        line = files["cp_plans"].add(plan(child, start_date=iso(-10)))
        note("cp_plans", line, "start_date", "overlapping_plans", "cross_file", "overlaps")
        if "s47_enquiries" in files:
            line = files["cp_plans"].add(plan(new_child()))
            note("cp_plans", line, "start_date", "plan_without_s47", "cross_file", "no S47")
        if "cp_visits" in files:
            line = files["cp_visits"].add(
                {"plan_id": f"ZZF{tag}NOPLAN", "visit_date": iso(0), "seen_alone": "Y"}
            )
            note("cp_visits", line, "plan_id", "orphan_plan", "cross_file", "no such plan")

    for f in files.values():
        f.write()
    return sorted(planted, key=lambda p: (p.stem, p.line))


# The files plant_faults may append to.
_STEMS = (
    "children",
    "contacts",
    "referrals",
    "assessments",
    "s47_enquiries",
    "cp_plans",
    "cp_visits",
)
