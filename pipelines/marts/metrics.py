"""What frontdoor knows about each metric: its name, unit, one-line definition and section,
and which input formats can support it.

The definitions paraphrase docs/metrics.md; the SQL in sql/marts/ is the authority. The report,
the marts (which withhold what a format cannot support) and the tests all read this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Unit = Literal["count", "pct", "wd", "rate", "ratio"]
Better = Literal["higher", "lower"]


@dataclass(frozen=True)
class Metric:
    metric_id: str
    label: str
    unit: Unit
    definition: str
    section: str
    # A median has no numerator of its own; these name a count in metric_values that is never
    # larger than the number of cases behind the median, so it can be suppressed like a count.
    size_from: tuple[str, Literal["numerator", "denominator"]] | None = None
    snapshot: bool = False
    # Which way is better: "higher", "lower", or None where neither is (a volume, a share whose
    # right level depends on the council). The report calls a change better or worse by it.
    better: Better | None = None


SECTIONS_2010 = (
    "Contacts",
    "Referrals and allocation",
    "Assessments",
    "Section 47 and child protection",
    "Recording",
    "Workforce",
)
# v5: the 2013 letter's questions, grouped as the letter asks them.
SECTIONS_2013 = (
    "Conferences",
    "Working with the police",
    "Children missing",
    "Private fostering",
    "Early help",
    "Plans",
)
SECTIONS = SECTIONS_2010 + SECTIONS_2013

CATALOGUE: tuple[Metric, ...] = (
    Metric(
        "contacts", "Contacts received", "count", "Contacts received in the period.", "Contacts"
    ),
    Metric(
        "contact_decision_1wd_pct",
        "Contacts decided within one working day",
        "pct",
        "Contacts received in the period with a decision within one working day of the contact date.",
        "Contacts",
        better="higher",
    ),
    Metric(
        "contact_to_referral_pct",
        "Contacts that became referrals",
        "pct",
        "Decided contacts received in the period whose outcome was a referral.",
        "Contacts",
    ),
    Metric(
        "contacts_awaiting_decision",
        "Contacts awaiting a decision",
        "count",
        "Contacts received by the end of the period with no decision yet.",
        "Contacts",
        snapshot=True,
        better="lower",
    ),
    Metric(
        "referrals",
        "Referrals",
        "count",
        "Referrals (one per child and date) in the period.",
        "Referrals and allocation",
    ),
    Metric(
        "rereferral_12m_pct",
        "Re-referrals within 12 months",
        "pct",
        "Referrals in the period where the child had another referral in the 12 months before.",
        "Referrals and allocation",
        better="lower",
    ),
    Metric(
        "referral_nfa_pct",
        "Referrals closed with no further action",
        "pct",
        "Referrals in the period that led to no further action.",
        "Referrals and allocation",
    ),
    Metric(
        "allocation_delay_median_wd",
        "Referral to allocation (median)",
        "wd",
        "Median working days from referral to a qualified social worker, for allocated referrals not closed NFA.",
        "Referrals and allocation",
        size_from=("allocated_within_5wd_pct", "numerator"),
        better="lower",
    ),
    Metric(
        "allocated_within_5wd_pct",
        "Allocated within 5 working days",
        "pct",
        "Referrals (not NFA) allocated to a qualified social worker within 5 working days.",
        "Referrals and allocation",
        better="higher",
    ),
    Metric(
        "unallocated_open_cases",
        "Children waiting for a social worker",
        "count",
        "Children with an open referral or plan and no qualified social worker at the end of the period.",
        "Referrals and allocation",
        snapshot=True,
        better="lower",
    ),
    Metric(
        "unallocated_wait_median_wd",
        "How long children have waited for a social worker (median)",
        "wd",
        "Of the children waiting for a social worker at the end of the period, the median working "
        "days since their wait began: the start of their open referral or plan, or the end of "
        "their last qualified social worker's allocation if later.",
        "Referrals and allocation",
        size_from=("unallocated_open_cases", "numerator"),
        snapshot=True,
        better="lower",
    ),
    Metric(
        "assessments_completed",
        "Assessments completed",
        "count",
        "Assessments of any type completed in the period.",
        "Assessments",
    ),
    Metric(
        "initial_assessment_timely_pct",
        "Initial assessments on time",
        "pct",
        "Initial assessments completed in the period within 7 working days (10 from April 2010).",
        "Assessments",
        better="higher",
    ),
    Metric(
        "core_assessment_timely_pct",
        "Core assessments on time",
        "pct",
        "Core assessments completed in the period within 35 working days.",
        "Assessments",
        better="higher",
    ),
    Metric(
        "single_assessment_timely_pct",
        "Single assessments on time",
        "pct",
        "Single assessments completed in the period within 45 working days.",
        "Assessments",
        better="higher",
    ),
    Metric(
        "initial_assessment_median_wd",
        "Initial assessment duration (median)",
        "wd",
        "Median working days from start to completion of initial assessments completed in the period.",
        "Assessments",
        size_from=("initial_assessment_timely_pct", "denominator"),
        better="lower",
    ),
    Metric(
        "core_assessment_median_wd",
        "Core assessment duration (median)",
        "wd",
        "Median working days from start to completion of core assessments completed in the period.",
        "Assessments",
        size_from=("core_assessment_timely_pct", "denominator"),
        better="lower",
    ),
    Metric(
        "single_assessment_median_wd",
        "Single assessment duration (median)",
        "wd",
        "Median working days from start to completion of single assessments completed in the period.",
        "Assessments",
        size_from=("single_assessment_timely_pct", "denominator"),
        better="lower",
    ),
    Metric(
        "assessments_open",
        "Assessments open",
        "count",
        "Assessments open at the end of the period.",
        "Assessments",
        snapshot=True,
    ),
    Metric(
        "assessment_backlog",
        "Assessment backlog",
        "count",
        "Assessments open at the end of the period and already past their time limit.",
        "Assessments",
        snapshot=True,
        better="lower",
    ),
    Metric(
        "assessment_child_seen_pct",
        "Children seen during assessment",
        "pct",
        "Assessments completed in the period where the child was seen.",
        "Assessments",
        better="higher",
    ),
    Metric(
        "assessment_seen_alone_pct",
        "Children seen alone during assessment",
        "pct",
        "Assessments completed in the period where the child was seen alone.",
        "Assessments",
        better="higher",
    ),
    Metric(
        "s47_enquiries",
        "Section 47 enquiries",
        "count",
        "Section 47 enquiries with a strategy discussion in the period.",
        "Section 47 and child protection",
    ),
    Metric(
        "icpc_15wd_pct",
        "Initial conferences within 15 working days",
        "pct",
        "Initial child protection conferences in the period held within 15 working days of the strategy discussion.",
        "Section 47 and child protection",
        better="higher",
    ),
    Metric(
        "s47_overdue_icpc",
        "Enquiries waiting over 15 days for a conference",
        "count",
        "Open enquiries at the end of the period needing a conference, more than 15 working days after the strategy discussion.",
        "Section 47 and child protection",
        snapshot=True,
        better="lower",
    ),
    Metric(
        "cp_plans_open",
        "Child protection plans open",
        "count",
        "Children with a child protection plan open at the end of the period.",
        "Section 47 and child protection",
        snapshot=True,
    ),
    Metric(
        "cp_plans_rate_per_10k",
        "Child protection plans per 10,000 children",
        "rate",
        "Children on a plan at the end of the period per 10,000 children aged 0-17 (ONS estimate).",
        "Section 47 and child protection",
        snapshot=True,
    ),
    Metric(
        "cp_plans_started",
        "Child protection plans started",
        "count",
        "Plans starting in the period.",
        "Section 47 and child protection",
    ),
    Metric(
        "cp_plans_ended",
        "Child protection plans ended",
        "count",
        "Plans ending in the period.",
        "Section 47 and child protection",
    ),
    Metric(
        "cp_second_or_subsequent_pct",
        "Second or later plans",
        "pct",
        "Plans started in the period that were the child's second or later plan.",
        "Section 47 and child protection",
        better="lower",
    ),
    Metric(
        "cp_plans_2y_plus_pct",
        "Plans open two years or more",
        "pct",
        "Plans open at the end of the period that started two or more years before.",
        "Section 47 and child protection",
        snapshot=True,
        better="lower",
    ),
    Metric(
        "cp_ended_2y_plus_pct",
        "Plans ended after two years or more",
        "pct",
        "Plans ended in the period that had lasted two years or more.",
        "Section 47 and child protection",
        better="lower",
    ),
    Metric(
        "cp_reviews_timely_pct",
        "Plan reviews on time",
        "pct",
        "Plans open over 3 months at the end of the period whose every review was on time (3 months, then 6).",
        "Section 47 and child protection",
        snapshot=True,
        better="higher",
    ),
    Metric(
        "cp_allocated_qualified_pct",
        "Children on plans with a qualified social worker",
        "pct",
        "Children on a plan at the end of the period allocated to a qualified social worker.",
        "Section 47 and child protection",
        snapshot=True,
        better="higher",
    ),
    Metric(
        "cp_seen_alone_pct",
        "Children on plans seen alone at last visit",
        "pct",
        "Open plans whose latest visit by the end of the period saw the child alone.",
        "Section 47 and child protection",
        snapshot=True,
        better="higher",
    ),
    Metric(
        "ethnicity_recorded_pct",
        "Ethnicity recorded",
        "pct",
        "Children referred in the period with a recorded ethnicity (refused counts as asked).",
        "Recording",
        better="higher",
    ),
    Metric(
        "religion_recorded_pct",
        "Religion recorded",
        "pct",
        "Children referred in the period with a religion recorded.",
        "Recording",
        better="higher",
    ),
    Metric(
        "early_help_mismatch_children",
        "Early-help records that disagree",
        "count",
        "Children starting early help in the period whose date of birth or ethnicity differs from the social care record.",
        "Recording",
        better="lower",
    ),
    Metric(
        "stepdown_unmatched_pct",
        "Step-downs to early help not picked up",
        "pct",
        "Referrals closed to early help in the period with no early-help episode within 30 days.",
        "Recording",
        better="lower",
    ),
    Metric(
        "agency_social_worker_pct",
        "Agency social workers",
        "pct",
        "Qualified social workers in post at the end of the period employed through an agency (head count).",
        "Workforce",
        snapshot=True,
        better="lower",
    ),
    Metric(
        "caseload_per_social_worker",
        "Children per social worker",
        "ratio",
        "Children allocated per qualified social worker holding cases, at the end of the period.",
        "Workforce",
        snapshot=True,
        better="lower",
    ),
    Metric(
        "cp_conference_views_pct",
        "Children's views heard at conferences",
        "pct",
        "Child protection conferences (initial and review) in the period where the child's views "
        "were conveyed (PN1-PN3, PN5, PN6), children under 4 (PN0) left out; not recorded counts "
        "as not conveyed.",
        "Conferences",
        better="higher",
    ),
    Metric(
        "cp_conference_attended_pct",
        "Children attending conferences",
        "pct",
        "Child protection conferences (initial and review) in the period the child attended "
        "(PN1-PN4), children under 4 (PN0) left out; not recorded counts as not attended.",
        "Conferences",
        better="higher",
    ),
    Metric(
        "strategy_police_pct",
        "Strategy discussions with the police",
        "pct",
        "Section 47 enquiries starting in the period whose strategy discussion the police took "
        "part in.",
        "Working with the police",
        better="higher",
    ),
    Metric(
        "s47_to_icpc_pct",
        "Enquiries leading to an initial conference",
        "pct",
        "Section 47 enquiries starting in the period, whose outcome is known, that led to an "
        "initial child protection conference (transfers in left out).",
        "Working with the police",
    ),
    Metric(
        "icpc_to_plan_pct",
        "Initial conferences leading to a plan",
        "pct",
        "Initial child protection conferences in the period that resulted in a child protection "
        "plan (transfers in left out).",
        "Working with the police",
    ),
    Metric(
        "referral_police_pct",
        "Referrals from the police",
        "pct",
        "Referrals in the period whose source was the police.",
        "Working with the police",
    ),
    Metric(
        "missing_episodes",
        "Missing episodes",
        "count",
        "Episodes of a child going missing from home or care that started in the period.",
        "Children missing",
    ),
    Metric(
        "missing_rhi_offered_pct",
        "Return interviews offered",
        "pct",
        "Children returning from a missing episode in the period who were offered an "
        "independent return interview.",
        "Children missing",
        better="higher",
    ),
    Metric(
        "missing_rhi_72h_pct",
        "Return interviews within 72 hours",
        "pct",
        "Children returning from a missing episode in the period who had a return interview "
        "within 72 hours (3 days) of coming back.",
        "Children missing",
        better="higher",
    ),
    Metric(
        "pf_notifications",
        "Private fostering notifications",
        "count",
        "Private fostering arrangements the council was told of in the period.",
        "Private fostering",
    ),
    Metric(
        "pf_initial_visit_7wd_pct",
        "Privately fostered children visited within 7 working days",
        "pct",
        "Private fostering notifications in the period followed by a first visit within 7 "
        "working days.",
        "Private fostering",
        better="higher",
    ),
    Metric(
        "referrals_known_to_early_help_pct",
        "Referrals already known to early help",
        "pct",
        "Referrals in the period of children in early help at the time or in the 30 days before.",
        "Early help",
    ),
    Metric(
        "early_help_outcomes_met_pct",
        "Early help ended with outcomes met",
        "pct",
        "Early-help episodes ending in the period whose recorded reason was that the outcomes "
        "were met (no reason recorded counts as not met).",
        "Early help",
        better="higher",
    ),
    Metric(
        "cin_plans_open",
        "Children on a child in need plan",
        "count",
        "Children with a child in need plan open at the end of the period.",
        "Plans",
        snapshot=True,
    ),
    Metric(
        "assessment_plan_10wd_pct",
        "Plans within 10 working days of an assessment",
        "pct",
        "Assessments completed in the period that found a need for support, where the child had "
        "a child in need or protection plan within 10 working days.",
        "Plans",
        better="higher",
    ),
    Metric(
        "permanent_sw_turnover_12m_pct",
        "Permanent social workers leaving",
        "pct",
        "Permanent qualified social workers who left in the 12 months to the end of the period, "
        "as a share of those in post then.",
        "Plans",
        snapshot=True,
        better="lower",
    ),
)

BY_ID: dict[str, Metric] = {m.metric_id: m for m in CATALOGUE}


@dataclass(frozen=True)
class Flag:
    """A yes/no field a metric is built on. A blank or unreadable answer counts as "not Y"
    (docs/metrics.md), so the report says beside the metric how many there were."""

    stem: str
    column: str
    records: str  # what a row is, plural: "referrals"
    answer: str  # the question, as a noun: "NFA answer"
    taken_as: str  # what "not Y" means for the metric: "not NFA"


_NFA = Flag("referrals", "nfa", "referrals", "NFA answer", "not NFA")
_QUALIFIED = Flag(
    "workers", "qualified_social_worker", "workers", "qualified answer", "not qualified"
)
_TRANSFER_IN = Flag(
    "s47_enquiries", "icpc_transfer_in", "enquiries", "transfer-in answer", "no transfer"
)
_NOT_REQUIRED = Flag(
    "s47_enquiries",
    "icpc_not_required",
    "enquiries",
    "conference-not-required answer",
    "a conference needed",
)
# metric_id -> the flags its figure depends on (the SQL in sql/marts/ is the authority).
FLAGS: dict[str, tuple[Flag, ...]] = {
    "referral_nfa_pct": (_NFA,),
    "allocation_delay_median_wd": (_NFA, _QUALIFIED),
    "allocated_within_5wd_pct": (_NFA, _QUALIFIED),
    "unallocated_open_cases": (_NFA, _QUALIFIED),
    "unallocated_wait_median_wd": (_NFA, _QUALIFIED),
    "assessment_child_seen_pct": (
        Flag("assessments", "child_seen", "assessments", "child-seen answer", "not seen"),
    ),
    "assessment_seen_alone_pct": (
        Flag("assessments", "child_seen_alone", "assessments", "seen-alone answer", "not alone"),
    ),
    "icpc_15wd_pct": (_TRANSFER_IN,),
    "s47_overdue_icpc": (_NOT_REQUIRED,),
    "cp_seen_alone_pct": (
        Flag("cp_visits", "seen_alone", "visits", "seen-alone answer", "not alone"),
    ),
    "cp_allocated_qualified_pct": (_QUALIFIED,),
    "agency_social_worker_pct": (_QUALIFIED,),
    "caseload_per_social_worker": (_QUALIFIED,),
    "strategy_police_pct": (
        Flag(
            "s47_enquiries",
            "strategy_police_attended",
            "enquiries",
            "police-attended answer",
            "no police",
        ),
    ),
    "s47_to_icpc_pct": (_TRANSFER_IN, _NOT_REQUIRED),
    "icpc_to_plan_pct": (
        _TRANSFER_IN,
        Flag("s47_enquiries", "icpc_resulted_in_plan", "enquiries", "plan answer", "no plan"),
    ),
    "missing_rhi_offered_pct": (
        Flag(
            "missing_episodes",
            "return_interview_offered",
            "missing episodes",
            "interview-offered answer",
            "not offered",
        ),
    ),
    "assessment_plan_10wd_pct": (
        Flag(
            "assessments",
            "further_action",
            "assessments",
            "further-action answer",
            "no further action",
        ),
    ),
}


_NO_ALLOCATIONS = "no allocation dates: allocations are never invented"
_NO_WORKFORCE = "no workforce data (qualification, employment)"
_SINGLE_ONLY = "lists single (continuous) assessments only"
_NO_EARLY_HELP = "no early-help system extract"
# List 6's case status says a child in need plan is open on the return's date, not since when
_NO_CIN_PLAN_DATES = "List 6 gives a case status, not child in need plan dates"
_NO_PARTICIPATION = "no participation (PN) code for conferences"
_NO_POLICE_ATTENDANCE = "does not say whether the police took part in the strategy discussion"
_SSD_TYPE = "the SSD has no assessment type: every assessment is read as single"
_NO_QUALIFIED = "care workers are ids only: no qualified social worker to allocate"
_SSD_NO_ICPC_PARTICIPATION = (
    "ssd_initial_cp_conference has no participation (PN) code (only ssd_cp_reviews has one)"
)
# metric_id -> why a format cannot support it (docs/formats.md has the whole table). Some of these
# are never written because their table is absent; the others (marked *) have their table but
# not the field, and would be written wrongly, so the marts withhold them for that format.
UNSUPPORTED_METRICS: dict[str, dict[str, str]] = {
    "csv": {},
    "annex_a": {
        "contact_decision_1wd_pct": "* List 1 has no decision date",
        "contact_to_referral_pct": "* List 1 has no contact outcome",
        "contacts_awaiting_decision": "* List 1 has no decision date: every contact would wait",
        "rereferral_12m_pct": "* List 3 covers six months; its 12-month count has no dates",
        "initial_assessment_timely_pct": _SINGLE_ONLY,
        "core_assessment_timely_pct": _SINGLE_ONLY,
        "initial_assessment_median_wd": _SINGLE_ONLY,
        "core_assessment_median_wd": _SINGLE_ONLY,
        "assessment_seen_alone_pct": "* List 4 does not say whether the child was seen alone",
        "allocation_delay_median_wd": _NO_ALLOCATIONS,
        "allocated_within_5wd_pct": _NO_ALLOCATIONS,
        "unallocated_open_cases": _NO_ALLOCATIONS,
        "unallocated_wait_median_wd": _NO_ALLOCATIONS,
        "cp_allocated_qualified_pct": _NO_ALLOCATIONS,
        "caseload_per_social_worker": _NO_ALLOCATIONS,
        "agency_social_worker_pct": "* workers are names only: " + _NO_WORKFORCE,
        "cp_reviews_timely_pct": "List 7 gives the latest review only, not the chain of reviews",
        "cp_seen_alone_pct": "List 7 gives the latest visit only, not one per period",
        "religion_recorded_pct": "* Annex A has no religion",
        "early_help_mismatch_children": _NO_EARLY_HELP,
        "stepdown_unmatched_pct": _NO_EARLY_HELP,
        # v5 (the 2013 letter): what Annex A's lists do not carry (h22g refines with the mapping)
        "cp_conference_views_pct": _NO_PARTICIPATION,
        "cp_conference_attended_pct": _NO_PARTICIPATION,
        "strategy_police_pct": "List 5 " + _NO_POLICE_ATTENDANCE,
        "missing_episodes": "no list of missing episodes is read",
        "missing_rhi_offered_pct": "no list of missing episodes is read",
        "missing_rhi_72h_pct": "no list of missing episodes is read",
        "pf_notifications": "no private fostering list is read",
        "pf_initial_visit_7wd_pct": "no private fostering list is read",
        "referrals_known_to_early_help_pct": _NO_EARLY_HELP,
        "early_help_outcomes_met_pct": _NO_EARLY_HELP,
        "cin_plans_open": _NO_CIN_PLAN_DATES,
        "assessment_plan_10wd_pct": _NO_CIN_PLAN_DATES,
        "permanent_sw_turnover_12m_pct": "* workers are names only: " + _NO_WORKFORCE,
    },
    "cin_census": {
        "contacts": "the census has no contacts",
        "contact_decision_1wd_pct": "the census has no contacts",
        "contact_to_referral_pct": "the census has no contacts",
        "contacts_awaiting_decision": "the census has no contacts",
        "initial_assessment_timely_pct": "the 2017+ census " + _SINGLE_ONLY,
        "core_assessment_timely_pct": "the 2017+ census " + _SINGLE_ONLY,
        "initial_assessment_median_wd": "the 2017+ census " + _SINGLE_ONLY,
        "core_assessment_median_wd": "the 2017+ census " + _SINGLE_ONLY,
        "assessment_child_seen_pct": "* the census does not say whether the child was seen",
        "assessment_seen_alone_pct": "* the census does not say whether the child was seen alone",
        "allocation_delay_median_wd": _NO_ALLOCATIONS,
        "allocated_within_5wd_pct": _NO_ALLOCATIONS,
        "unallocated_open_cases": _NO_ALLOCATIONS,
        "unallocated_wait_median_wd": _NO_ALLOCATIONS,
        "cp_allocated_qualified_pct": _NO_ALLOCATIONS,
        "caseload_per_social_worker": _NO_ALLOCATIONS,
        "agency_social_worker_pct": _NO_WORKFORCE,
        "cp_seen_alone_pct": "the census has no statutory visits",
        "religion_recorded_pct": "* the census has no religion",
        "early_help_mismatch_children": _NO_EARLY_HELP,
        "stepdown_unmatched_pct": _NO_EARLY_HELP,
        # v5 (the 2013 letter): what the census does not carry (h22g refines with the mapping)
        "cp_conference_views_pct": "the census has " + _NO_PARTICIPATION,
        "cp_conference_attended_pct": "the census has " + _NO_PARTICIPATION,
        "strategy_police_pct": "the census " + _NO_POLICE_ATTENDANCE,
        "missing_episodes": "the census has no missing episodes",
        "missing_rhi_offered_pct": "the census has no missing episodes",
        "missing_rhi_72h_pct": "the census has no missing episodes",
        "pf_notifications": "the census has no private fostering",
        "pf_initial_visit_7wd_pct": "the census has no private fostering",
        "referrals_known_to_early_help_pct": _NO_EARLY_HELP,
        "early_help_outcomes_met_pct": _NO_EARLY_HELP,
        "assessment_plan_10wd_pct": "* the census does not say whether the assessment found a "
        "need for further action",
        "permanent_sw_turnover_12m_pct": _NO_WORKFORCE,
    },
    "ssd": {
        "contact_decision_1wd_pct": "* the SSD has no contact decision date",
        "contact_to_referral_pct": "* the SSD has no contact decision date: no contact is decided",
        "contacts_awaiting_decision": "* the SSD has no contact decision date: every contact would wait",
        "initial_assessment_timely_pct": _SSD_TYPE,
        "core_assessment_timely_pct": _SSD_TYPE,
        "initial_assessment_median_wd": _SSD_TYPE,
        "core_assessment_median_wd": _SSD_TYPE,
        "assessment_seen_alone_pct": "* the SSD does not say whether the child was seen alone",
        "cp_second_or_subsequent_pct": "* the SSD has no number of previous plans (plans before "
        "its six-year window are unseen)",
        "agency_social_worker_pct": "* the SSD has no worker in-post dates: no head count at a "
        "period end",
        "religion_recorded_pct": "* the SSD has no religion",
        "early_help_mismatch_children": "* the SSD keeps one person record for both systems",
        "stepdown_unmatched_pct": "* the SSD's early-help episodes name no source referral",
        # v5 (the 2013 letter): what mapping.toml does not map
        "cp_conference_views_pct": _SSD_NO_ICPC_PARTICIPATION,
        "cp_conference_attended_pct": _SSD_NO_ICPC_PARTICIPATION,
        "strategy_police_pct": "the SSD " + _NO_POLICE_ATTENDANCE,
        "missing_rhi_72h_pct": "* the SSD has no return interview date (ssd_missing says only "
        "whether one was offered)",
        "pf_notifications": "the SSD has no private fostering table",
        "pf_initial_visit_7wd_pct": "the SSD has no private fostering table",
        "permanent_sw_turnover_12m_pct": "* the SSD has no worker in-post dates: no leaver is seen",
    },
    "csc_api": {
        "contacts": "the payload has no contacts",
        "contact_decision_1wd_pct": "the payload has no contacts",
        "contact_to_referral_pct": "the payload has no contacts",
        "contacts_awaiting_decision": "the payload has no contacts",
        "initial_assessment_timely_pct": "the payload " + _SINGLE_ONLY,
        "core_assessment_timely_pct": "the payload " + _SINGLE_ONLY,
        "initial_assessment_median_wd": "the payload " + _SINGLE_ONLY,
        "core_assessment_median_wd": "the payload " + _SINGLE_ONLY,
        "assessment_child_seen_pct": "* the payload does not say whether the child was seen",
        "assessment_seen_alone_pct": "* the payload does not say whether the child was seen alone",
        "allocation_delay_median_wd": _NO_QUALIFIED,
        "allocated_within_5wd_pct": _NO_QUALIFIED,
        "unallocated_open_cases": _NO_QUALIFIED,
        "unallocated_wait_median_wd": _NO_QUALIFIED,
        "cp_allocated_qualified_pct": _NO_QUALIFIED,
        "caseload_per_social_worker": _NO_QUALIFIED,
        "agency_social_worker_pct": _NO_WORKFORCE,
        "cp_second_or_subsequent_pct": "* the payload has no number of previous plans",
        "cp_reviews_timely_pct": "the payload has no plan reviews",
        "cp_seen_alone_pct": "the payload has no statutory visits",
        "religion_recorded_pct": "* the payload has no religion",
        "early_help_mismatch_children": _NO_EARLY_HELP,
        "stepdown_unmatched_pct": _NO_EARLY_HELP,
        # v5 (the 2013 letter): what the payload does not carry
        "cp_conference_views_pct": "the payload has " + _NO_PARTICIPATION,
        "cp_conference_attended_pct": "the payload has " + _NO_PARTICIPATION,
        "strategy_police_pct": "the payload " + _NO_POLICE_ATTENDANCE,
        "icpc_to_plan_pct": "* the payload does not say whether the conference resulted in a plan",
        "missing_episodes": "the payload has no missing episodes",
        "missing_rhi_offered_pct": "the payload has no missing episodes",
        "missing_rhi_72h_pct": "the payload has no missing episodes",
        "pf_notifications": "the payload has no private fostering",
        "pf_initial_visit_7wd_pct": "the payload has no private fostering",
        "referrals_known_to_early_help_pct": _NO_EARLY_HELP,
        "early_help_outcomes_met_pct": _NO_EARLY_HELP,
        "assessment_plan_10wd_pct": "* the payload does not say whether the assessment found a "
        "need for further action",
        "permanent_sw_turnover_12m_pct": _NO_WORKFORCE,
    },
}


FORMATS: tuple[str, ...] = ("csv", "annex_a", "cin_census", "ssd", "csc_api")
METRICS: frozenset[str] = frozenset(m.metric_id for m in CATALOGUE)
SUPPORTED: dict[str, frozenset[str]] = {
    kind: METRICS - frozenset(UNSUPPORTED_METRICS[kind]) for kind in FORMATS
}


def unsupported(kind: str) -> frozenset[str]:
    """The metric_ids a format cannot support: not to be written for a run on that format.

    Raises KeyError naming the format when it is not one of ``FORMATS``.
    """
    if kind not in SUPPORTED:
        raise KeyError(f"unknown input format {kind!r}; one of {', '.join(FORMATS)}")
    return METRICS - SUPPORTED[kind]
