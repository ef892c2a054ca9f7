"""Read DfE children-in-need census XML (schemas 2017-2026) into the contract's raw frames.

One ``Child`` gives a children row; each of its ``CINdetails`` (one CIN episode) gives a referral
with its assessments, child in need plans, section 47 enquiries, child protection plans and plan
reviews. The census has no record ids, so they are built from what identifies a record in it:
``<LAchildID>/<CINreferralDate>`` for a referral, then ``/A/<start>``, ``/CIN/<start>``,
``/S47/<start>`` and ``/CPP/<start>`` below it (``#2``, ``#3`` for a repeat).

The census has no flag for an ICPC's outcome: an enquiry's conference resulted in a plan when a
child protection plan of the same episode starts on its DateOfInitialCPC, the link DfE's
validation makes (rule 2885: a plan starts on the day of an initial conference of its episode).

Several files (collection years) may be read at once. An episode that appears in more than one
is counted once. Its own fields (closure, need, NFA ...) come from the latest version (latest
collection year, Header/CollectionDetails/Year; then the later ReferenceDate; then the later file
in the list). What is inside it is combined across the versions, because DfE's census keeps in
each year's episode only that year's assessments, enquiries, plans and reviews: each record is
matched by its own natural key (assessment by AssessmentActualStartDate, enquiry by
S47ActualStartDate, plan by CPPstartDate, review by its plan and CPPreviewDate; with its position
among same-keyed records of one version) and the latest version of it wins. A record without its
key cannot be matched, so only the latest version's are kept. The same latest-wins rule picks
each child's characteristics.

DfE's XSDs are not shipped with the project: ``xsd_dir`` names a folder holding
``CIN_schema_<year>.xsd`` files. When it holds the schema for a file's collection year the file is
validated and each violation becomes a finding; the file is read either way.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipelines.sources.cin_census.episodes import Episode, children_and_episodes
from pipelines.sources.cin_census.header import CensusFile, read_header
from pipelines.sources.cin_census.merge import assign_ids, merge_versions
from pipelines.sources.cin_census.parse import parse_census, validate
from pipelines.sources.cin_census.spec import BUILT_FROM, EXTRA, EXTRA_MEANINGS, source_names
from pipelines.sources.folder import changed_error, unchanged
from pipelines.sources.result import Finding, SourceFrames, raw_frame


def read_file(
    path: Path, position: int, xsd_dir: Path | None, findings: list[Finding]
) -> tuple[CensusFile, list[dict[str, object]], list[Episode]]:
    """One census file: its header, its schema findings (with ``xsd_dir``), children, episodes."""
    tree = parse_census(path)
    root = tree.getroot()
    census = read_header(root, str(path), position, findings)
    if xsd_dir is not None:
        validate(tree, census, xsd_dir)
    children, episodes = children_and_episodes(census, root)
    return census, children, episodes


def read_cin_census(paths: list[Path], xsd_dir: Path | None = None) -> SourceFrames:
    """Read one or more CIN census files into raw frames, each episode counted once.

    Raises ExtractError only for a file that cannot be read as XML or is not a CIN census.
    """
    findings: list[Finding] = []
    reference_dates: list[dt.date] = []
    # LEA -> (rank, path) of the latest file naming it
    leas: dict[str, tuple[tuple[int, str, int], str]] = {}
    children: dict[str, tuple[tuple[int, str, int], dict[str, object]]] = {}
    unkeyed_children: list[dict[str, object]] = []
    versions: dict[tuple[str, ...], list[Episode]] = {}
    for position, path in enumerate(paths):
        before = Path(path).stat()
        census, file_children, file_episodes = read_file(Path(path), position, xsd_dir, findings)
        if not unchanged(Path(path), before):
            raise changed_error(Path(path))
        if census.reference_date is not None:
            reference_dates.append(census.reference_date)
        if census.lea is not None:
            found = (census.rank, census.path)
            leas[census.lea] = max(leas.get(census.lea, found), found)
        for row in file_children:
            child_id = row["child_id"]
            if child_id is None:
                unkeyed_children.append(row)
            elif child_id not in children or children[child_id][0] <= census.rank:
                children[child_id] = (census.rank, row)
        for episode in file_episodes:
            versions.setdefault(episode.key, []).append(episode)
    rows = assign_ids(merge_versions(versions, findings))
    child_rows = [
        row for _, row in sorted(children.values(), key=lambda c: (c[0][2], c[1]["_line"]))
    ]
    lea = max(leas, key=lambda code: leas[code]) if leas else None
    if len(leas) > 1:
        findings.append(
            Finding(
                leas[lea][1],
                "lea_mismatch",
                f"the files name {len(leas)} councils (Header/Source/LEA {', '.join(sorted(leas))});"
                f" the latest file's, {lea}, is taken",
            )
        )
    result = SourceFrames(
        findings=findings,
        extra_columns=EXTRA_MEANINGS,
        la_code=lea,
        la_code_source="the census header (Header/Source/LEA)" if lea else "",
        as_at=max(reference_dates, default=None),
        as_at_source="the latest ReferenceDate of the census files",
        history_start=(dt.date(min(reference_dates).year - 1, 4, 1) if reference_dates else None),
        files=sorted(Path(p).name for p in paths),
        source_names=source_names(),
        built={stem: (column,) for stem, (column, _) in BUILT_FROM.items()},
    )
    result.frames["children"] = raw_frame(
        "children", [*child_rows, *unkeyed_children], extra=EXTRA["children"]
    )
    for stem, stem_rows in rows.items():
        result.frames[stem] = raw_frame(stem, stem_rows, extra=EXTRA[stem])
    return result
