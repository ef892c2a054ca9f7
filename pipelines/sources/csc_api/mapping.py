"""One CSC API child record onto the contract's rows (docs/formats.md "CSC API").

The record's own names are the DfE's (json_payload_structure.md). Each list below says which
payload key fills which contract column; a key the payload lacks stays null. ``purge: true``
on the child, its details, an episode or a record inside one means the council withdraws it:
it is not loaded (counted in a finding).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

# (contract column, payload key) per stem; the episode's records are lists inside the episode.
CHILD = (
    ("date_of_birth", "date_of_birth"),
    ("expected_date_of_birth", "expected_date_of_birth"),
    ("sex", "sex"),
    ("ethnicity", "ethnicity"),
)
EPISODE = (
    ("referral_id", "social_care_episode_id"),
    ("referral_date", "referral_date"),
    ("source", "referral_source"),
    ("nfa", "referral_no_further_action_flag"),
    ("closure_date", "closure_date"),
    ("closure_reason", "closure_reason"),
)
# stem -> (the episode's list, (contract column, payload key) ...)
NESTED: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "assessments": (
        "child_and_family_assessments",
        (
            ("assessment_id", "child_and_family_assessment_id"),
            ("start_date", "start_date"),
            ("completed_date", "authorisation_date"),
        ),
    ),
    "cin_plans": (
        "child_in_need_plans",
        (
            ("plan_id", "child_in_need_plan_id"),
            ("start_date", "start_date"),
            ("end_date", "end_date"),
        ),
    ),
    "s47_enquiries": (
        "section_47_assessments",
        (
            ("s47_id", "section_47_assessment_id"),
            ("strategy_discussion_date", "start_date"),
            ("icpc_date", "icpc_date"),
            ("end_date", "end_date"),
        ),
    ),
    "cp_plans": (
        "child_protection_plans",
        (
            ("plan_id", "child_protection_plan_id"),
            ("start_date", "start_date"),
            ("end_date", "end_date"),
        ),
    ),
    "allocations": (
        "care_worker_details",
        (("worker_id", "worker_id"), ("start_date", "start_date"), ("end_date", "end_date")),
    ),
}
SEX = {"M": "M", "MALE": "M", "F": "F", "FEMALE": "F", "U": "U", "UNKNOWN": "U", "I": "U"}
STEMS = ("children", "referrals", *NESTED)


def text(value: object) -> str | None:
    """A payload value as the raw frame's text: booleans as Y/N, blanks as null."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    out = str(value).strip()
    return out or None


@dataclass
class Rows:
    """The rows read so far per stem, and what was purged or found odd."""

    file: str
    rows: dict[str, list[dict[str, object]]] = field(
        default_factory=lambda: {stem: [] for stem in STEMS}
    )
    purged: Counter[str] = field(default_factory=Counter)
    odd: Counter[str] = field(default_factory=Counter)

    def add(self, stem: str, place: int, values: dict[str, object]) -> None:
        self.rows[stem].append({**values, "_source_file": self.file, "_line": place})


def _purged(record: object) -> bool:
    return isinstance(record, dict) and record.get("purge") is True


def _disability(details: dict[str, object]) -> str | None:
    codes = {str(c).strip().upper() for c in details.get("disabilities") or [] if c}  # type: ignore[union-attr]
    if not codes:
        return None
    return "N" if codes == {"NONE"} else "Y"


def add_child(out: Rows, place: int, child: dict[str, object]) -> None:
    """Every row one child record gives."""
    if _purged(child):
        out.purged["children"] += 1
        return
    child_id = text(child.get("la_child_id"))
    details = child.get("child_details")
    row: dict[str, object] = {"child_id": child_id}
    if isinstance(details, dict) and _purged(details):
        out.purged["child_details"] += 1
    elif isinstance(details, dict):
        row |= {column: text(details.get(key)) for column, key in CHILD}
        sex = row["sex"]
        row["sex"] = SEX.get(str(sex).upper(), sex) if sex else None
        row["disability"] = _disability(details)
    out.add("children", place, row)
    for episode in child.get("social_care_episodes") or []:  # type: ignore[union-attr]
        if not isinstance(episode, dict):
            out.odd["episode_not_an_object"] += 1
            continue
        if _purged(episode):
            out.purged["social_care_episodes"] += 1
            continue
        referral = {column: text(episode.get(key)) for column, key in EPISODE}
        referral_id = referral["referral_id"]
        out.add("referrals", place, {**referral, "child_id": child_id})
        for stem, (key, columns) in NESTED.items():
            for n, item in enumerate(episode.get(key) or [], start=1):  # type: ignore[union-attr]
                if not isinstance(item, dict):
                    out.odd[f"{key}_not_an_object"] += 1
                    continue
                if _purged(item):
                    out.purged[key] += 1
                    continue
                values = {column: text(item.get(k)) for column, k in columns}
                values |= {"child_id": child_id, "referral_id": referral_id}
                if stem == "assessments":
                    values["assessment_type"] = "SINGLE"  # a child and family assessment
                elif stem == "s47_enquiries":
                    required = text(item.get("icpc_required_flag"))
                    values["icpc_not_required"] = {"Y": "N", "N": "Y"}.get(required or "")
                elif stem == "allocations":
                    # the payload gives workers no id of the allocation: built from the episode
                    values["allocation_id"] = f"{referral_id}/W/{n}"
                out.add(stem, place, values)
