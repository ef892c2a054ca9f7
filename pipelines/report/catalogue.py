"""What the report says about each metric: its name for managers, unit and one-line definition.

The definitions paraphrase spec/metrics.md (the contract); the SQL there is the authority.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Unit = Literal["count", "pct", "wd", "rate", "ratio"]


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


SECTIONS = (
    "Contacts",
    "Referrals and allocation",
    "Assessments",
    "Section 47 and child protection",
    "Recording",
    "Workforce",
)

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
    ),
    Metric(
        "allocated_within_5wd_pct",
        "Allocated within 5 working days",
        "pct",
        "Referrals (not NFA) allocated to a qualified social worker within 5 working days.",
        "Referrals and allocation",
    ),
    Metric(
        "unallocated_open_cases",
        "Children waiting for a social worker",
        "count",
        "Children with an open referral or plan and no qualified social worker at the end of the period.",
        "Referrals and allocation",
        snapshot=True,
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
    ),
    Metric(
        "core_assessment_timely_pct",
        "Core assessments on time",
        "pct",
        "Core assessments completed in the period within 35 working days.",
        "Assessments",
    ),
    Metric(
        "single_assessment_timely_pct",
        "Single assessments on time",
        "pct",
        "Single assessments completed in the period within 45 working days.",
        "Assessments",
    ),
    Metric(
        "initial_assessment_median_wd",
        "Initial assessment duration (median)",
        "wd",
        "Median working days from start to completion of initial assessments completed in the period.",
        "Assessments",
        size_from=("initial_assessment_timely_pct", "denominator"),
    ),
    Metric(
        "core_assessment_median_wd",
        "Core assessment duration (median)",
        "wd",
        "Median working days from start to completion of core assessments completed in the period.",
        "Assessments",
        size_from=("core_assessment_timely_pct", "denominator"),
    ),
    Metric(
        "single_assessment_median_wd",
        "Single assessment duration (median)",
        "wd",
        "Median working days from start to completion of single assessments completed in the period.",
        "Assessments",
        size_from=("single_assessment_timely_pct", "denominator"),
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
    ),
    Metric(
        "assessment_child_seen_pct",
        "Children seen during assessment",
        "pct",
        "Assessments completed in the period where the child was seen.",
        "Assessments",
    ),
    Metric(
        "assessment_seen_alone_pct",
        "Children seen alone during assessment",
        "pct",
        "Assessments completed in the period where the child was seen alone.",
        "Assessments",
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
    ),
    Metric(
        "s47_overdue_icpc",
        "Enquiries waiting over 15 days for a conference",
        "count",
        "Open enquiries at the end of the period needing a conference, more than 15 working days after the strategy discussion.",
        "Section 47 and child protection",
        snapshot=True,
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
    ),
    Metric(
        "cp_plans_2y_plus_pct",
        "Plans open two years or more",
        "pct",
        "Plans open at the end of the period that started two or more years before.",
        "Section 47 and child protection",
        snapshot=True,
    ),
    Metric(
        "cp_ended_2y_plus_pct",
        "Plans ended after two years or more",
        "pct",
        "Plans ended in the period that had lasted two years or more.",
        "Section 47 and child protection",
    ),
    Metric(
        "cp_reviews_timely_pct",
        "Plan reviews on time",
        "pct",
        "Plans open over 3 months at the end of the period whose every review was on time (3 months, then 6).",
        "Section 47 and child protection",
        snapshot=True,
    ),
    Metric(
        "cp_allocated_qualified_pct",
        "Children on plans with a qualified social worker",
        "pct",
        "Children on a plan at the end of the period allocated to a qualified social worker.",
        "Section 47 and child protection",
        snapshot=True,
    ),
    Metric(
        "cp_seen_alone_pct",
        "Children on plans seen alone at last visit",
        "pct",
        "Open plans whose latest visit by the end of the period saw the child alone.",
        "Section 47 and child protection",
        snapshot=True,
    ),
    Metric(
        "ethnicity_recorded_pct",
        "Ethnicity recorded",
        "pct",
        "Children referred in the period with a recorded ethnicity (refused counts as asked).",
        "Recording",
    ),
    Metric(
        "religion_recorded_pct",
        "Religion recorded",
        "pct",
        "Children referred in the period with a religion recorded.",
        "Recording",
    ),
    Metric(
        "early_help_mismatch_children",
        "Early-help records that disagree",
        "count",
        "Children starting early help in the period whose date of birth or ethnicity differs from the social care record.",
        "Recording",
    ),
    Metric(
        "stepdown_unmatched_pct",
        "Step-downs to early help not picked up",
        "pct",
        "Referrals closed to early help in the period with no early-help episode within 30 days.",
        "Recording",
    ),
    Metric(
        "agency_social_worker_pct",
        "Agency social workers",
        "pct",
        "Qualified social workers in post at the end of the period employed through an agency (head count).",
        "Workforce",
        snapshot=True,
    ),
    Metric(
        "caseload_per_social_worker",
        "Children per social worker",
        "ratio",
        "Children allocated per qualified social worker holding cases, at the end of the period.",
        "Workforce",
        snapshot=True,
    ),
)

BY_ID: dict[str, Metric] = {m.metric_id: m for m in CATALOGUE}


@dataclass(frozen=True)
class Headline:
    """One card on the headline page: a metric, optionally one breakdown value of it."""

    metric_id: str
    label: str
    breakdown: str = "all"
    breakdown_value: str = "ALL"


def _card(metric_id: str) -> Headline:
    return Headline(metric_id, BY_ID[metric_id].label)


# The questions the 2010 and 2013 Ofsted letters asked, in the order a manager reads them.
HEADLINES: tuple[Headline, ...] = (
    _card("contact_decision_1wd_pct"),
    Headline(
        "contact_decision_1wd_pct",
        "Out-of-hours contacts decided within one working day",
        "out_of_hours",
        "Y",
    ),
    _card("contacts_awaiting_decision"),
    _card("rereferral_12m_pct"),
    _card("referral_nfa_pct"),
    _card("allocation_delay_median_wd"),
    _card("unallocated_open_cases"),
    _card("single_assessment_timely_pct"),
    _card("initial_assessment_timely_pct"),
    _card("core_assessment_timely_pct"),
    _card("assessment_backlog"),
    _card("assessment_child_seen_pct"),
    _card("assessment_seen_alone_pct"),
    _card("icpc_15wd_pct"),
    _card("cp_plans_open"),
    _card("cp_plans_rate_per_10k"),
    _card("cp_second_or_subsequent_pct"),
    _card("cp_plans_2y_plus_pct"),
    _card("cp_reviews_timely_pct"),
    _card("cp_allocated_qualified_pct"),
    _card("cp_seen_alone_pct"),
    _card("ethnicity_recorded_pct"),
    _card("religion_recorded_pct"),
    _card("early_help_mismatch_children"),
    _card("agency_social_worker_pct"),
    _card("caseload_per_social_worker"),
)

# Metrics with a published England / statistical-neighbour figure in data/reference/.
COMPARABLE: tuple[str, ...] = (
    "rereferral_12m_pct",
    "referral_nfa_pct",
    "cp_plans_rate_per_10k",
    "cp_second_or_subsequent_pct",
    "cp_plans_2y_plus_pct",
)
