"""Each data-quality rule as the person who must fix the data would say it (docs/validation.md
and docs/formats.md define them). A rule without a sentence here is named plainly, never hidden;
tests/test_report.py checks that every rule the pipeline can write has one."""

from __future__ import annotations

# (kind, rule) -> a short label (a chart's legend) and the sentence (the table). The sentences
# describe the records of one file; the file and column stand beside them in the table.
SENTENCES: dict[tuple[str, str], tuple[str, str]] = {
    ("load", "file_loaded"): ("File read", "The file was read."),
    ("load", "file_absent"): (
        "File not supplied",
        "No such file was supplied: the measures that need it are not shown.",
    ),
    ("load", "file_failed"): (
        "File could not be used",
        "The file could not be read, or lacks a column it must have.",
    ),
    ("load", "load_warning"): (
        "Layout notes",
        "The file was read with a note on its layout (header spelling, encoding, extra columns).",
    ),
    ("reconcile", "rows_reconcile"): (
        "Rows accounted for",
        "Every row of the file is either used or set aside (a check on frontdoor itself).",
    ),
    ("quarantine", "malformed_row"): (
        "Broken rows",
        "Rows with more or fewer fields than the header (or a stray NUL): set aside.",
    ),
    ("quarantine", "required"): (
        "Required value blank",
        "Rows missing a value they cannot be used without (an id or the date that places "
        "them): set aside.",
    ),
    ("quarantine", "not_a_date"): (
        "Key date unreadable",
        "Rows whose key date is not a date (expected YYYY-MM-DD or DD/MM/YYYY): set aside.",
    ),
    ("quarantine", "not_a_datetime"): (
        "Key date-time unreadable",
        "Rows whose key date and time cannot be read: set aside.",
    ),
    ("quarantine", "not_an_integer"): (
        "Number unreadable",
        "Rows whose number is not a whole number: set aside.",
    ),
    ("quarantine", "too_long"): (
        "Value too long",
        "Rows with an id, code or text value over 1,000 characters: set aside.",
    ),
    ("quarantine", "implausible_date"): (
        "Date out of range",
        "Rows with a date before 1990 (a birth before 1900) or after the day of the run: set "
        "aside.",
    ),
    ("quarantine", "unknown_code"): (
        "Required code unknown",
        "Rows whose required code is not one of the allowed codes: set aside.",
    ),
    ("quarantine", "duplicate_id"): (
        "Repeated id",
        "Rows repeating an id already used earlier in the file: the first copy is kept.",
    ),
    ("typing", "not_a_date"): (
        "Date unreadable",
        "Dates that could not be read: left blank, the rest of each record used.",
    ),
    ("typing", "not_a_datetime"): (
        "Date-time unreadable",
        "Dates and times that could not be read: left blank, the rest of each record used.",
    ),
    ("typing", "not_yes_no"): (
        "Yes/no unreadable",
        "Yes/no answers that are neither: left blank (counted as not yes), the record used.",
    ),
    ("typing", "not_a_number"): (
        "Number unreadable",
        "Numbers that could not be read: left blank, the rest of each record used.",
    ),
    ("completeness", "blank_flag"): (
        "Yes/no left blank",
        "Yes/no answers left blank: counted as not yes.",
    ),
    ("as_at", "not_yet_happened"): (
        "After the as-at date",
        "Records dated after the report's as-at date: not counted yet.",
    ),
    ("rule", "column_present"): ("Column missing", "A column the file must have is missing."),
    ("rule", "column_type"): ("Column type", "A column does not hold the kind of value it should."),
    ("rule", "required"): ("Required value blank", "Required values are blank."),
    ("rule", "unknown_code"): (
        "Unknown code",
        "Values that are not one of the allowed codes: kept as written.",
    ),
    ("rule", "duplicate_id"): ("Repeated id", "Ids repeated within the file."),
    ("rule", "date_order"): (
        "Dates out of order",
        "A later date is before the earlier one (an end before its start).",
    ),
    ("rule", "before_birth"): ("Before birth", "Events dated before the child's date of birth."),
    ("rule", "after_as_at"): (
        "Dated in the future",
        "Dates after the date the extract was taken.",
    ),
    ("rule", "out_of_range"): ("Implausible number", "Numbers outside the plausible range."),
    ("cross_file", "orphan_referral"): (
        "Referral not found",
        "Records naming a referral that is not in referrals.csv.",
    ),
    ("cross_file", "orphan_plan"): (
        "Plan not found",
        "Reviews or visits naming a plan that is not in cp_plans.csv.",
    ),
    ("cross_file", "orphan_child"): (
        "Child not found",
        "Records naming a child who is not in children.csv.",
    ),
    ("cross_file", "overlapping_plans"): (
        "Overlapping plans",
        "Child protection plans starting while another plan of the child is open.",
    ),
    ("cross_file", "two_open_referrals"): (
        "Two open referrals",
        "Referrals made while an earlier referral of the child was still open.",
    ),
    ("cross_file", "plan_without_s47"): (
        "Plan without an enquiry",
        "Plans with no section 47 enquiry of the child in the 12 months before.",
    ),
}

# What a statutory return's reader noticed (kind "load", rule "reader_<rule>").
READER: dict[str, tuple[str, str]] = {
    "not_a_list": ("Sheet not a list", "A sheet or file with no Annex A list: skipped."),
    "list_skipped": ("List outside the front door", "An Annex A list the report does not use."),
    "no_lists": ("No lists", "The workbook holds none of the lists the report uses."),
    "unreadable_sheet": ("Sheet unreadable", "A sheet could not be read; the others were."),
    "unmatched_header": ("Header not recognised", "Column headers not recognised: ignored."),
    "missing_column": ("Column absent", "Columns the list should have are absent: left blank."),
    "serial_date": ("Excel serial date", "Dates written as Excel serial numbers: converted."),
    "excel_error": ("Excel error", "Excel error values (#N/A ...): read as blank."),
    "code_from_label": ("Code read from its label", "Descriptions read as their codes."),
    "unknown_code": ("Unknown code", "Values that are not one of the codes: kept as written."),
    "conflicting_child": ("Lists disagree", "Lists that disagree about a child: the first kept."),
    "missing_child_id": ("No child id", "Rows without a child id."),
    "cin_episode_not_referred": (
        "Episode without referral",
        "List 6 episodes with no List 3 referral: their need and closure not used.",
    ),
    "superseded_by_later_return": (
        "Replaced by a later return",
        "Records also in a later return: the later copy is used.",
    ),
    "schema": ("Not as DfE's schema", "Values that DfE's census schema does not allow."),
    "no_schema": ("No schema", "No DfE schema for the file's year: not checked against one."),
    "header_mismatch": ("Header disagrees", "The census header's year and date disagree."),
    "no_collection_year": ("No collection year", "The census header gives no year."),
    "reference_date_not_31_march": (
        "Reference date not 31 March",
        "The census reference date is not 31 March.",
    ),
    "bad_reference_date": ("Reference date unreadable", "The census reference date is no date."),
    "before_collection_window": (
        "Ended before the census year",
        "Records that ended before the census year began.",
    ),
    "no_child_id": ("No child id", "Children without an LAchildID."),
    "no_referral_key": ("Episode without key", "Episodes without a child id or referral date."),
    "no_children": ("No children", "A census file with no children."),
    "duplicate_child": ("Child twice", "A child twice in one file: the later details used."),
    "duplicate_referral": ("Episode twice", "An episode twice in one file: both kept."),
    "cin_plans_not_loaded": ("CIN plans not used", "CIN plan dates present but not used."),
    "superseded": (
        "Also in a later census",
        "Episodes also in a later census: the later one's details used.",
    ),
    # the SSD and CSC API readers (docs/formats.md)
    "empty_column": (
        "SSD column never filled",
        "SSD columns NULL in every row: the council does not have them; the figures they "
        "alone feed are not shown.",
    ),
    "placeholder_date": (
        "1900-01-01 date",
        "Dates of 1900-01-01 (SQL Server's blank): read as blank.",
    ),
    "outcome_json_invalid": (
        "Outcome JSON invalid",
        "Outcome JSON that is invalid: its flags read.",
    ),
    "outcome_unreadable": ("Outcome unreadable", "Outcomes neither JSON nor text: left blank."),
    "scheduled_not_held": ("Scheduled, not held", "Reviews with no date (scheduled): not counted."),
    "planned_not_held": ("Conference planned", "Conferences planned but not held yet."),
    "no_enquiry": (
        "Conference without enquiry",
        "Conferences of no enquiry in the export: not used.",
    ),
    "not_allocated_worker": (
        "Not the allocated worker",
        "Involvements in other roles (co-workers, managers): not allocations.",
    ),
    "purged": ("Purged", "Records the council withdrew (purge: true): not used."),
    "not_a_record": ("Not a record", "Payload entries that are not records: not used."),
    "bad_json_line": ("Line not JSON", "Payload lines that are not JSON: not used."),
    "several_la_codes": ("Several LA codes", "Payload files naming different councils."),
}

ACTIONS = {
    "blocked": "file not used",
    "quarantined": "rows set aside",
    "nulled": "value left blank, record used",
    "ignored": "not counted yet",
    "kept": "records used",
    "none": "",
}


def describe(kind: str, rule: str) -> tuple[str, str]:
    """(short label, sentence) for a rule; a rule unknown here is named as itself."""
    if (kind, rule) in SENTENCES:
        return SENTENCES[(kind, rule)]
    if rule.startswith("reader_") and rule[len("reader_") :] in READER:
        return READER[rule[len("reader_") :]]
    plain = rule.replace("_", " ")
    return plain[0].upper() + plain[1:], f"Check {plain!r}."
