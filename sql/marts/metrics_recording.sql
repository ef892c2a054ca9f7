-- requires: marts.fact_children, marts.fact_referrals, marts.periods, marts.period_days
--
-- Recording of ethnicity and religion for children referred (docs/metrics.md:
-- ethnicity_recorded_pct, religion_recorded_pct). Why: the 2010 letter found ethnicity and
-- religion poorly recorded, so services could not see whom they were serving.
-- Denominator: distinct children with a (merged) referral dated in the period
-- (marts.fact_referrals). Ethnicity is recorded when children.csv holds one of the CBDS codes
-- other than NOBT (REFU counts: the question was asked); religion when it is not blank. A child
-- missing from children.csv has recorded neither. children.csv has no dates, so it is taken as
-- it stands (no as-at treatment possible).
-- Breakdown: a child is counted once per period, under the team of its latest referral in that
-- period (a merged referral's team), so the team rows sum to ALL.

CREATE OR REPLACE TABLE marts.metrics_recording AS
WITH
-- each child referred in the period once, under the team of its latest referral in it
referred AS (
    SELECT p.period_type, p.period_label, r.child_id, r.team_label,
        row_number() OVER (
            PARTITION BY p.period_type, p.period_label, r.child_id ORDER BY r.referral_date DESC
        ) AS rn
    FROM marts.fact_referrals AS r
    JOIN marts.period_days AS p ON p.date = r.referral_date
),

judged AS (
    SELECT r.period_type, r.period_label, r.team_label, c.ethnicity_recorded, c.religion_recorded
    FROM referred AS r
    JOIN marts.fact_children AS c USING (child_id)
    WHERE r.rn = 1
),

cases AS (
    SELECT
        'ethnicity_recorded_pct' AS metric_id, period_type, period_label,
        marts.by_team(team_label) AS under, ethnicity_recorded::INT AS n, 1 AS d, NULL AS x
    FROM judged
    UNION ALL
    SELECT
        'religion_recorded_pct', period_type, period_label,
        marts.by_team(team_label), religion_recorded::INT, 1, NULL
    FROM judged
),

breakdowns AS (
    SELECT marts.by_team(team_label) AS under FROM marts.fact_referrals
)

SELECT * FROM marts.metric_family(cases, breakdowns, [
    {'metric_id': 'ethnicity_recorded_pct', 'kind': 'pct'},
    {'metric_id': 'religion_recorded_pct', 'kind': 'pct'}
]);

COMMENT ON TABLE marts.metrics_recording IS 'Recording family of marts.metric_values: ethnicity_recorded_pct and religion_recorded_pct by period and team of the child''s latest referral in the period (only when children.csv is present).';
