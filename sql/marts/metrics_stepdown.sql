-- requires: marts.fact_stepdowns, marts.fact_referrals, marts.periods, marts.period_days
--
-- Step-downs to early help that early help never picked up (docs/metrics.md:
-- stepdown_unmatched_pct). Why: re-referral is kept low by early help only if the families
-- stepped down actually arrive there.
-- Denominator: merged referrals (marts.fact_referrals) closed in the period with closure reason
-- RC9 (case closed after assessment, referred to early help). Numerator: of those, no
-- early-help episode names one of its referral_ids as source_referral_id, and none for the same
-- child starts in [closure_date, closure_date + 30 calendar days]. Early-help episodes starting
-- after as_at have not happened, so a closure in the last 30 days before as_at can still be
-- matched later (the spec does not hold such closures back; see docs).
-- Breakdown: the merged referral's team.

CREATE OR REPLACE TABLE marts.metrics_stepdown AS
WITH
cases AS (
    SELECT
        'stepdown_unmatched_pct' AS metric_id, p.period_type, p.period_label,
        marts.by_team(s.team_label) AS under, s.unmatched::INT AS n, 1 AS d, NULL AS x
    FROM marts.fact_stepdowns AS s
    JOIN marts.period_days AS p ON p.date = s.closure_date
),

-- teams of every referral: the same team rows as the other referral metrics
breakdowns AS (
    SELECT marts.by_team(team_label) AS under FROM marts.fact_referrals
)

SELECT * FROM marts.metric_family(
    cases, breakdowns, [{'metric_id': 'stepdown_unmatched_pct', 'kind': 'pct'}]
);

COMMENT ON TABLE marts.metrics_stepdown IS 'stepdown_unmatched_pct for marts.metric_values, by period of closure and referral team (only when early_help.csv is present).';
