"""Read DfE CSC API payload files (child records as JSON) into the contract's raw frames.

``stream`` reads the records one at a time; ``mapping`` turns each into rows. docs/formats.md
"CSC API" has the mapping and what the payload cannot give.
"""

from __future__ import annotations

from pipelines.sources.csc_api.mapping import STEMS, Rows, add_child
from pipelines.sources.csc_api.stream import BadLine, records
from pipelines.sources.folder import InputFile, changed_error, unchanged
from pipelines.sources.result import Finding, SourceFrames, raw_frame

__all__ = ["read_csc_api"]

SOURCE_NAMES = {
    "children": {"child_id": "key 'la_child_id'", "date_of_birth": "key 'date_of_birth'"},
    "referrals": {
        "referral_id": "key 'social_care_episode_id'",
        "referral_date": "key 'referral_date'",
        "nfa": "key 'referral_no_further_action_flag'",
    },
    "assessments": {"start_date": "key 'start_date'", "completed_date": "key 'authorisation_date'"},
    "s47_enquiries": {
        "strategy_discussion_date": "key 'start_date'",
        "icpc_date": "key 'icpc_date'",
    },
    "cp_plans": {"start_date": "key 'start_date'", "end_date": "key 'end_date'"},
    "cin_plans": {"start_date": "key 'start_date'", "end_date": "key 'end_date'"},
    "allocations": {
        "allocation_id": "the key built from 'social_care_episode_id' and the worker's place",
        "worker_id": "key 'worker_id'",
    },
}
READINGS = {
    "child_and_family_assessment_is_single": (
        "every child and family assessment of the payload is a single (continuous) assessment",
        ("single_assessment_timely_pct", "single_assessment_median_wd", "assessment_backlog"),
    )
}


def read_csc_api(files: list[InputFile]) -> SourceFrames:
    """Read every payload file among ``files`` (detect.files_of(folder, "csc_api"))."""
    findings: list[Finding] = []
    la_codes: set[str] = set()
    stems: dict[str, list[dict[str, object]]] = {stem: [] for stem in STEMS}
    for f in files:
        out = Rows(str(f.path))
        for record in records(f.path):
            if isinstance(record, BadLine):
                findings.append(Finding(f.name, "bad_json_line", record.error, line=record.place))
                continue
            if record.la_code:
                la_codes.add(record.la_code)
            add_child(out, record.place, record.child)
        if not unchanged(f.path, f):
            raise changed_error(f.path)
        for what, count in sorted(out.purged.items()):
            findings.append(
                Finding(f.name, "purged", f"{count} {what} marked purge: true: not loaded")
            )
        for what, count in sorted(out.odd.items()):
            findings.append(Finding(f.name, "not_a_record", f"{count} {what}: not loaded"))
        for stem, rows in out.rows.items():
            stems[stem].extend(rows)
    if len(la_codes) > 1:
        findings.append(
            Finding(
                ", ".join(f.name for f in files), "several_la_codes", f"la_code {sorted(la_codes)}"
            )
        )
    result = SourceFrames(
        findings=findings,
        files=sorted(f.name for f in files),
        source_names={
            stem: {column: name for column, name in names.items()}
            for stem, names in SOURCE_NAMES.items()
        },
        built={"allocations": ("allocation_id",)},
        readings=dict(READINGS),
        la_code=min(la_codes) if la_codes else None,
        la_code_source="the payload's la_code" if la_codes else "",
    )
    for stem, rows in stems.items():
        result.frames[stem] = raw_frame(stem, rows)
    return result
