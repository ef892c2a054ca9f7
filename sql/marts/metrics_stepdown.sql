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
periods AS (
    SELECT period_type, period_label, period_start, period_end FROM marts.periods
),

stepdowns AS (
    SELECT closure_date, team_label, unmatched FROM marts.fact_stepdowns
),

stepdowns_bd AS (
    SELECT closure_date, 'all' AS breakdown, 'ALL' AS breakdown_value, unmatched FROM stepdowns
    UNION ALL
    SELECT closure_date, 'team', team_label, unmatched FROM stepdowns
),

counts AS (
    SELECT
        p.period_type, p.period_label, s.breakdown, s.breakdown_value,
        count(*) FILTER (WHERE s.unmatched) AS num,
        count(*) AS den
    FROM stepdowns_bd AS s
    JOIN marts.period_days AS p ON p.date = s.closure_date
    GROUP BY ALL
),

-- teams of every referral: the same team rows as the other referral metrics
breakdowns AS (
    SELECT 'all' AS breakdown, 'ALL' AS breakdown_value
    UNION
    SELECT DISTINCT 'team', team_label FROM marts.fact_referrals
)

SELECT
    'stepdown_unmatched_pct' AS metric_id,
    p.period_type,
    p.period_label,
    p.period_start,
    p.period_end,
    b.breakdown,
    b.breakdown_value,
    coalesce(c.num, 0)::DOUBLE AS numerator,
    coalesce(c.den, 0)::DOUBLE AS denominator,
    marts.pct(coalesce(c.num, 0), coalesce(c.den, 0))::DOUBLE AS value
FROM periods AS p
CROSS JOIN breakdowns AS b
LEFT JOIN counts AS c USING (period_type, period_label, breakdown, breakdown_value);

COMMENT ON TABLE marts.metrics_stepdown IS 'stepdown_unmatched_pct for marts.metric_values, by period of closure and referral team (only when early_help.csv is present).';
