"""The report's view of the catalogue: the headline cards and the metrics DfE publishes.

Each metric's name, unit, definition and section live in pipelines/marts/metrics.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from pipelines.marts.metrics import BY_ID, CATALOGUE, SECTIONS, Metric, Unit

__all__ = [
    "BY_ID",
    "CATALOGUE",
    "COMPARABLE",
    "HEADLINES",
    "SECTIONS",
    "SECTION_NOTES",
    "Headline",
    "Metric",
    "Unit",
    "section_note",
]


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
    _card("unallocated_wait_median_wd"),
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
    # The 2013 letter's questions, grouped as it asks them (the sections of pipelines/marts/metrics.py).
    _card("cp_conference_views_pct"),
    _card("cp_conference_attended_pct"),
    _card("strategy_police_pct"),
    _card("referral_police_pct"),
    _card("s47_to_icpc_pct"),
    _card("icpc_to_plan_pct"),
    _card("missing_episodes"),
    _card("missing_rhi_offered_pct"),
    _card("missing_rhi_72h_pct"),
    _card("pf_notifications"),
    _card("pf_initial_visit_7wd_pct"),
    _card("referrals_known_to_early_help_pct"),
    _card("early_help_outcomes_met_pct"),
    _card("cin_plans_open"),
    _card("assessment_plan_10wd_pct"),
    _card("permanent_sw_turnover_12m_pct"),
)

# Said under a section's heading wherever the report shows it: what its codes mean in words.
SECTION_NOTES: dict[str, str] = {
    "Conferences": (
        "The child's participation in each conference is recorded as a code: PN1 attends and "
        "speaks for themselves; PN2 attends and an advocate speaks for them; PN3 attends and "
        "conveys their views without words; PN4 attends but their views are not conveyed; PN5 "
        "does not attend but briefs an advocate; PN6 does not attend but conveys their views "
        "another way; PN7 does not attend and their views are not conveyed; PN0 the child is "
        "under 4 (left out of both measures). Views heard: PN1, PN2, PN3, PN5 or PN6. "
        "Attended: PN1 to PN4. A conference with no code counts as neither."
    ),
}


def section_note(section: str) -> str:
    """The section's note in words (SECTION_NOTES), as a paragraph, or nothing."""
    note = SECTION_NOTES.get(section)
    return f"<p class='note'>{escape(note)}</p>" if note else ""


# Metrics with a published England / statistical-neighbour figure in data/reference/ (how DfE
# counts the last three differently: pipelines/report/comparisons.py, PUBLISHED_BASIS).
COMPARABLE: tuple[str, ...] = (
    "rereferral_12m_pct",
    "referral_nfa_pct",
    "cp_plans_rate_per_10k",
    "cp_second_or_subsequent_pct",
    "cp_plans_2y_plus_pct",
    "s47_to_icpc_pct",
    "permanent_sw_turnover_12m_pct",
    "agency_social_worker_pct",
)
