"""The extract contract (docs/extracts.md) as data.

Every part of frontdoor reads the contract from here: the CSV reader (which columns exist and
which are required), the staging SQL (how each column is typed), the generator (what it writes),
the Annex A and CIN census readers (what canonical frames they produce) and the validation suites
(code lists). Change the contract here and nowhere else.

Column kinds and how staging types them:

- ``id``       VARCHAR, trimmed, leading zeros kept; blank -> NULL
- ``text``     VARCHAR, trimmed; blank -> NULL
- ``code``     VARCHAR, trimmed and upper-cased; blank -> NULL (an unknown code is kept and reported)
- ``date``     DATE from ISO ``YYYY-MM-DD`` or UK ``DD/MM/YYYY``; anything else is untypable
- ``datetime`` TIMESTAMP from ISO ``YYYY-MM-DDTHH:MM[:SS]`` (or a space) or ``DD/MM/YYYY HH:MM``
               (a bare date is taken as midnight)
- ``yn``       BOOLEAN: Y/Yes/1/true -> true, N/No/0/false -> false, blank -> NULL; anything
               else is untypable (metrics.md: anything but Y is "not Y")
- ``int``      BIGINT; a value that is not a whole number is untypable

What happens to an untypable value depends on whether its column is required: a required column
(the key, the child, the date that places the row) cannot be used without it, so the row is
quarantined; an optional one is set to NULL, the row kept, and the column named in the row's
``_nulled`` for the data-quality step to report (docs/validation.md has the table per extract).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["id", "text", "code", "date", "datetime", "yn", "int"]

ETHNICITY_CODES: tuple[str, ...] = (
    "WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN",
    "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT",
)  # fmt: skip
REFERRAL_SOURCES: tuple[str, ...] = (
    "1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F", "4",
    "5A", "5B", "5C", "5D", "6", "7", "8", "9", "10",
)  # fmt: skip
CONTACT_OUTCOMES: tuple[str, ...] = ("REFERRAL", "EARLY_HELP", "INFO_ADVICE", "NFA", "OTHER")
PRIMARY_NEEDS: tuple[str, ...] = tuple(f"N{i}" for i in range(10))
CLOSURE_REASONS: tuple[str, ...] = tuple(f"RC{i}" for i in range(1, 10))
ASSESSMENT_TYPES: tuple[str, ...] = ("INITIAL", "CORE", "SINGLE")
CP_CATEGORIES: tuple[str, ...] = ("NEG", "PHY", "SAB", "EMO", "MUL")
SEXES: tuple[str, ...] = ("M", "F", "U")
EMPLOYMENT: tuple[str, ...] = ("PERMANENT", "AGENCY")
# The child's participation in a conference (v5), as the DfE's SSDA903 return codes reviews:
# PN0 under 4; PN1-PN4 attends (PN4: views not conveyed); PN5-PN7 does not attend (PN7: views
# not conveyed). docs/extracts.md has each in words.
PARTICIPATION_CODES: tuple[str, ...] = tuple(f"PN{i}" for i in range(8))
EARLY_HELP_END_REASONS: tuple[str, ...] = ("OUTCOMES_MET", "STEP_UP", "DECLINED", "MOVED", "OTHER")
# Yes/no (extracts.md): these words, in any case, are yes and no; anything else is not yes.
YES: tuple[str, ...] = ("y", "yes", "1", "true")
NO: tuple[str, ...] = ("n", "no", "0", "false")
# Reference data, not case records: may sit beside any input format (population.csv gives the
# denominator for rates per 10,000).
REFERENCE_STEMS: tuple[str, ...] = ("population",)


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = False
    codes: tuple[str, ...] | None = None  # allowed values for a code column
    meaning: str = ""


@dataclass(frozen=True)
class Extract:
    stem: str  # file name without .csv; also the table name in raw/staging/quarantine
    key: str | None  # the column that must be unique, if any
    columns: tuple[Column, ...]
    needed_for_run: bool = False  # only contacts, referrals and assessments are
    meaning: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def filename(self) -> str:
        return f"{self.stem}.csv"

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def placed_by(self) -> str | None:
        """The date that places a row in time (required: a row without it is quarantined)."""
        return next(
            (c.name for c in self.columns if c.required and c.kind in ("date", "datetime")), None
        )

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.filename} has no column {name!r}")


def _c(
    name: str,
    kind: Kind,
    meaning: str = "",
    *,
    req: bool = False,
    codes: tuple[str, ...] | None = None,
) -> Column:
    return Column(name, kind, req, codes, meaning)


EXTRACTS: tuple[Extract, ...] = (
    Extract(
        "children",
        "child_id",
        (
            _c("child_id", "id", "the LA's child identifier, unique", req=True),
            _c("date_of_birth", "date", "blank for an unborn child"),
            _c("expected_date_of_birth", "date", "unborn children"),
            _c("sex", "code", "M, F or U", codes=SEXES),
            _c(
                "ethnicity",
                "code",
                "CBDS ethnicity code; blank = not recorded",
                codes=ETHNICITY_CODES,
            ),
            _c("religion", "text", "blank = not recorded"),
            _c("disability", "yn"),
        ),
        meaning="one row per child known to the statutory system",
    ),
    Extract(
        "contacts",
        "contact_id",
        (
            _c("contact_id", "id", "unique", req=True),
            _c("child_id", "id", "one row per child when a contact names several", req=True),
            _c("contact_datetime", "datetime", "when the contact was received", req=True),
            _c("source", "code", "CIN referral-source code", codes=REFERRAL_SOURCES),
            _c("decision_datetime", "datetime", "when a manager decided; blank = undecided"),
            _c("outcome", "code", "blank while undecided", codes=CONTACT_OUTCOMES),
            _c("out_of_hours", "yn", "received by the emergency duty team"),
            _c("team", "text"),
        ),
        needed_for_run=True,
        meaning="contacts received by the front door",
    ),
    Extract(
        "referrals",
        "referral_id",
        (
            _c("referral_id", "id", "unique; one CIN episode", req=True),
            _c("child_id", "id", req=True),
            _c("contact_id", "id", "the contact that became this referral"),
            _c("referral_date", "date", req=True),
            _c("source", "code", "as contacts.source", codes=REFERRAL_SOURCES),
            _c("primary_need", "code", "N0-N9", codes=PRIMARY_NEEDS),
            _c("nfa", "yn", "closed at referral stage with no further action"),
            _c("closure_date", "date", "episode closed"),
            _c("closure_reason", "code", "RC1-RC9", codes=CLOSURE_REASONS),
            _c("team", "text"),
        ),
        needed_for_run=True,
        meaning="referrals to children's social care (CIN episodes)",
    ),
    Extract(
        "assessments",
        "assessment_id",
        (
            _c("assessment_id", "id", "unique", req=True),
            _c("child_id", "id", req=True),
            _c("referral_id", "id", "the episode it belongs to"),
            _c(
                "assessment_type",
                "code",
                "INITIAL, CORE or SINGLE",
                req=True,
                codes=ASSESSMENT_TYPES,
            ),
            _c("start_date", "date", "actual start", req=True),
            _c("completed_date", "date", "authorised by a manager; blank = still open"),
            _c("child_seen", "yn"),
            _c("child_seen_alone", "yn"),
            _c("further_action", "yn", "assessed as needing children's social care support"),
            _c("team", "text"),
            _c("worker_id", "id"),
        ),
        needed_for_run=True,
        meaning="initial, core and single assessments",
    ),
    Extract(
        "allocations",
        "allocation_id",
        (
            _c("allocation_id", "id", "unique; one period of a case-holding worker", req=True),
            _c("child_id", "id", req=True),
            _c("referral_id", "id", "the episode, where recorded"),
            _c("worker_id", "id", req=True),
            _c("team", "text"),
            _c("start_date", "date", req=True),
            _c("end_date", "date", "blank = still allocated"),
        ),
        meaning="periods of a worker holding a child's case",
    ),
    Extract(
        "workers",
        "worker_id",
        (
            _c("worker_id", "id", "unique", req=True),
            _c("team", "text"),
            _c("qualified_social_worker", "yn", "registered social worker"),
            _c("employment", "code", "PERMANENT or AGENCY", codes=EMPLOYMENT),
            _c("start_date", "date", "blank = in post from before the data"),
            _c("end_date", "date"),
        ),
        meaning="the workforce",
    ),
    Extract(
        "s47_enquiries",
        "s47_id",
        (
            _c("s47_id", "id", "unique", req=True),
            _c("child_id", "id", req=True),
            _c("referral_id", "id"),
            _c(
                "strategy_discussion_date",
                "date",
                "the strategy discussion (= S47 start)",
                req=True,
            ),
            _c("end_date", "date", "the enquiry concluded; blank = still open"),
            _c("icpc_not_required", "yn", "concluded that no conference was needed"),
            _c("icpc_date", "date", "initial child protection conference held"),
            _c("icpc_transfer_in", "yn", "conference for a child moving in from another LA"),
            _c("icpc_resulted_in_plan", "yn"),
            _c(
                "strategy_police_attended",
                "yn",
                "the police took part in the strategy discussion (v5)",
            ),
            _c(
                "icpc_participation",
                "code",
                "the child's participation in the ICPC (v5)",
                codes=PARTICIPATION_CODES,
            ),
            _c("team", "text"),
        ),
        meaning="section 47 enquiries and their initial child protection conferences",
    ),
    Extract(
        "cp_plans",
        "plan_id",
        (
            _c("plan_id", "id", "unique", req=True),
            _c("child_id", "id", req=True),
            _c("referral_id", "id"),
            _c("start_date", "date", req=True),
            _c("end_date", "date", "blank = plan open"),
            _c("initial_category", "code", codes=CP_CATEGORIES),
            _c("latest_category", "code", codes=CP_CATEGORIES),
            _c("number_of_previous_plans", "int", "as recorded"),
            _c("team", "text"),
        ),
        meaning="child protection plans",
    ),
    Extract(
        "cp_reviews",
        None,
        (
            _c("plan_id", "id", req=True),
            _c("review_date", "date", "review conference held", req=True),
            _c(
                "participation",
                "code",
                "the child's participation in the review conference (v5)",
                codes=PARTICIPATION_CODES,
            ),
        ),
        meaning="child protection review conferences",
    ),
    Extract(
        "cp_visits",
        None,
        (
            _c("plan_id", "id", req=True),
            _c("visit_date", "date", "statutory visit", req=True),
            _c("seen_alone", "yn"),
        ),
        meaning="statutory visits to children on a plan",
    ),
    Extract(
        "early_help",
        "episode_id",
        (
            _c("episode_id", "id", "unique; a record in the separate early-help system", req=True),
            _c("child_id", "id", "the statutory child_id where linked; blank = unlinked"),
            _c("date_of_birth", "date", "as held in the early-help system"),
            _c("ethnicity", "code", "as held in the early-help system", codes=ETHNICITY_CODES),
            _c("start_date", "date", req=True),
            _c("end_date", "date"),
            _c("source_referral_id", "id", "the statutory referral that stepped the family down"),
            _c(
                "end_reason",
                "code",
                "why the episode ended (v5); blank = not recorded",
                codes=EARLY_HELP_END_REASONS,
            ),
        ),
        meaning="episodes in the separate early-help system",
    ),
    Extract(
        "cin_plans",
        "plan_id",
        (
            _c("plan_id", "id", "unique; a child in need plan", req=True),
            _c("child_id", "id", req=True),
            _c("referral_id", "id", "the episode"),
            _c("start_date", "date", req=True),
            _c("end_date", "date", "blank = plan open"),
            _c("team", "text"),
        ),
        meaning="child in need plans (v5)",
    ),
    Extract(
        "missing_episodes",
        "episode_id",
        (
            _c("episode_id", "id", "unique; a child missing from home or care", req=True),
            _c("child_id", "id", req=True),
            _c("start_date", "date", "the child went missing", req=True),
            _c("return_date", "date", "the child returned or was found; blank = still missing"),
            _c("return_interview_offered", "yn", "an independent return interview was offered"),
            _c("return_interview_date", "date", "the return interview took place"),
            _c("team", "text"),
        ),
        meaning="episodes of a child missing from home or care (v5)",
    ),
    Extract(
        "private_fostering",
        "arrangement_id",
        (
            _c(
                "arrangement_id",
                "id",
                "unique; a private fostering arrangement notified to the LA",
                req=True,
            ),
            _c("child_id", "id", req=True),
            _c("notification_date", "date", "the LA was told of the arrangement", req=True),
            _c("initial_visit_date", "date", "the LA's first visit to the child"),
            _c("end_date", "date", "the arrangement ended"),
            _c("team", "text"),
        ),
        meaning="private fostering arrangements notified to the LA (v5)",
    ),
    Extract(
        "population",
        "year",
        (
            _c("year", "int", "mid-year (June) estimate year", req=True),
            _c("children_0_17", "int", "resident children aged 0-17", req=True),
        ),
        meaning="resident child population (denominator for rates per 10,000)",
    ),
)

BY_STEM: dict[str, Extract] = {e.stem: e for e in EXTRACTS}

SQL_TYPES: dict[Kind, str] = {
    "id": "VARCHAR",
    "text": "VARCHAR",
    "code": "VARCHAR",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "yn": "BOOLEAN",
    "int": "BIGINT",
}


def extract(stem: str) -> Extract:
    """The contract entry for one file stem (``contacts``), or KeyError naming the stem."""
    try:
        return BY_STEM[stem]
    except KeyError:
        raise KeyError(f"no extract called {stem!r} in the contract") from None


def staging_ddl(stem: str, schema: str = "staging") -> str:
    """CREATE TABLE for the typed staging table of one extract, lineage columns last.

    Tests use this to build tiny hand-made warehouses with exactly the staging shape.
    """
    e = extract(stem)
    cols = [f"{c.name} {SQL_TYPES[c.kind]}" for c in e.columns]
    cols += ["_source_file VARCHAR", "_line BIGINT", "_nulled VARCHAR[]"]
    return f"CREATE TABLE {schema}.{stem} ({', '.join(cols)})"
