"""Episodes read from several collection years as one each, their ids built, and each
conference's outcome worked out (read.py's docstring has the rules)."""

from __future__ import annotations

from collections import Counter

from pipelines.sources.cin_census.episodes import Episode
from pipelines.sources.cin_census.spec import ID_PARTS, NESTED_KEYS, STEMS
from pipelines.sources.result import Finding

_Key = tuple[object, ...] | None


def natural_keys(episode: Episode) -> dict[str, list[_Key]]:
    """Each nested row's key for matching across years (None when it has none), in row order.

    Same-keyed rows of one version are told apart by their position among them, so a version's
    own repeats are all kept while the same record in two years is counted once.
    """
    keys: dict[str, list[_Key]] = {}
    seen: Counter[tuple[str, _Key]] = Counter()

    def numbered(stem: str, base: _Key) -> _Key:
        if base is None:
            return None
        seen[stem, base] += 1
        return (*base, seen[stem, base])

    plan_keys: dict[int, _Key] = {}
    for stem, column in NESTED_KEYS.items():
        keys[stem] = []
        for row in episode.rows[stem]:
            key = numbered(stem, None if row[column] is None else (row[column],))
            keys[stem].append(key)
            if stem == "cp_plans":
                plan_keys[id(row)] = key
    keys["cp_reviews"] = []
    for review in episode.rows["cp_reviews"]:
        plan_key = plan_keys[id(review["plan"])]
        date = review["review_date"]
        base = None if plan_key is None or date is None else (plan_key, date)
        keys["cp_reviews"].append(numbered("cp_reviews", base))
    return keys


def combine(versions: list[Episode]) -> tuple[Episode, Counter[str]]:
    """One episode from its versions in several collection years (read.py's docstring).

    Returns the episode and, per file, how many of its records without a natural key were
    dropped because a later version holds the episode.
    """
    ordered = sorted(versions, key=lambda e: e.rank, reverse=True)  # latest first
    latest = ordered[0]
    lost: Counter[str] = Counter()
    if len(ordered) == 1:
        return latest, lost
    combined = Episode(latest.key, latest.rank, {"referrals": latest.rows["referrals"]})
    kept: dict[str, dict[_Key, dict[str, object]]] = {}
    # (position of the file in the call, line, row): rows follow the files, as everywhere else
    gathered: dict[str, list[tuple[int, int, dict[str, object]]]] = {
        stem: [] for stem in (*NESTED_KEYS, "cp_reviews")
    }
    for version in ordered:
        where = version.rank[2]
        keys = natural_keys(version)
        plans_of_version = dict(
            zip(map(id, version.rows["cp_plans"]), keys["cp_plans"], strict=True)
        )
        for stem in (*NESTED_KEYS, "cp_reviews"):
            for row, key in zip(version.rows[stem], keys[stem], strict=True):
                if key is None:
                    if version is latest:
                        gathered[stem].append((where, int(row["_line"] or 0), row))
                    else:
                        lost[str(row["_source_file"])] += 1
                    continue
                if key in kept.setdefault(stem, {}):
                    continue
                kept[stem][key] = row
                if stem == "cp_reviews":
                    # the review belongs to its plan's winning version, whichever year that is
                    plan_key = plans_of_version[id(row["plan"])]
                    row["plan"] = kept.get("cp_plans", {}).get(plan_key, row["plan"])
                gathered[stem].append((where, int(row["_line"] or 0), row))
    for stem, rows in gathered.items():
        combined.rows[stem] = [row for _, _, row in sorted(rows, key=lambda r: r[:2])]
    return combined, lost


def merge_versions(
    versions: dict[tuple[str, ...], list[Episode]], findings: list[Finding]
) -> list[Episode]:
    """Each episode once, in the order the files were read; a ``superseded`` finding per file
    whose episodes a later collection also holds."""
    episodes: list[Episode] = []
    superseded: Counter[str] = Counter()
    lost: Counter[str] = Counter()
    for found in versions.values():
        episode, dropped = combine(found)
        episodes.append(episode)
        lost += dropped
        for older in found:
            if older.rank != episode.rank:
                superseded[str(older.rows["referrals"][0]["_source_file"])] += 1
    for file, count in superseded.items():
        unkeyed = (
            f"; {lost[file]} of its assessments, enquiries, plans or reviews had no date to match "
            "them by and were dropped"
            if lost[file]
            else ""
        )
        findings.append(
            Finding(
                file,
                "superseded",
                f"{count} episodes also in a later collection: the later one's own fields are kept "
                f"and what is inside them combined{unkeyed}",
            )
        )
    # keep the order the files were read in, so the frames follow the files
    return sorted(episodes, key=lambda e: (e.rank[2], e.rows["referrals"][0]["_line"]))


def assign_ids(episodes: list[Episode]) -> dict[str, list[dict[str, object]]]:
    """Fill in the built ids, and gather each stem's rows in file order."""
    rows: dict[str, list[dict[str, object]]] = {stem: [] for stem in STEMS if stem != "children"}
    used: dict[str, Counter[str]] = {stem: Counter() for stem in rows}

    def unique(stem: str, base: str | None) -> str | None:
        if base is None:
            return None
        used[stem][base] += 1
        count = used[stem][base]
        return base if count == 1 else f"{base}#{count}"

    for episode in episodes:
        referral = episode.rows["referrals"][0]
        has_key = referral["child_id"] is not None and referral["referral_date"] is not None
        referral_id = unique(
            "referrals", f"{referral['child_id']}/{referral['referral_date']}" if has_key else None
        )
        referral["referral_id"] = referral_id
        rows["referrals"].append(referral)
        for stem, (id_column, tag, start) in ID_PARTS.items():
            for row in episode.rows[stem]:
                base = f"{referral_id}/{tag}/{row[start]}" if referral_id and row[start] else None
                row[id_column] = unique(stem, base)
                row["referral_id"] = referral_id
                rows[stem].append(row)
        for review in episode.rows["cp_reviews"]:
            review["plan_id"] = review.pop("plan")["plan_id"]
            rows["cp_reviews"].append(review)
        icpc_outcomes(episode)
    return rows


def icpc_outcomes(episode: Episode) -> None:
    """Each conference's outcome from the episode's plans (read.py's docstring): Y when one of
    them starts on the conference's date, N when none does; blank without a conference."""
    plan_starts = {plan["start_date"] for plan in episode.rows["cp_plans"]}
    for enquiry in episode.rows["s47_enquiries"]:
        held = enquiry["icpc_date"]
        enquiry["icpc_resulted_in_plan"] = (
            None if held is None else ("Y" if held in plan_starts else "N")
        )
