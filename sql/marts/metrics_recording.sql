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
periods AS (
    SELECT period_type, period_label, period_start, period_end FROM marts.periods
),

referrals AS (
    SELECT child_id, referral_date, team_label FROM marts.fact_referrals
),

children AS (
    SELECT child_id, ethnicity_recorded, religion_recorded FROM marts.fact_children
),

-- each child referred in the period once, under the team of its latest referral in it
referred AS (
    SELECT p.period_type, p.period_label, r.child_id, r.team_label,
        row_number() OVER (
            PARTITION BY p.period_type, p.period_label, r.child_id ORDER BY r.referral_date DESC
        ) AS rn
    FROM referrals AS r
    JOIN marts.period_days AS p ON p.date = r.referral_date
),

judged AS (
    SELECT r.period_type, r.period_label, r.team_label, c.ethnicity_recorded, c.religion_recorded
    FROM referred AS r
    JOIN children AS c USING (child_id)
    WHERE r.rn = 1
),

judged_bd AS (
    SELECT period_type, period_label, 'all' AS breakdown, 'ALL' AS breakdown_value,
        ethnicity_recorded, religion_recorded
    FROM judged
    UNION ALL
    SELECT period_type, period_label, 'team', team_label, ethnicity_recorded, religion_recorded
    FROM judged
),

counts AS (
    SELECT
        period_type, period_label, breakdown, breakdown_value,
        count(*) FILTER (WHERE ethnicity_recorded) AS ethnicity_num,
        count(*) FILTER (WHERE religion_recorded) AS religion_num,
        count(*) AS den
    FROM judged_bd
    GROUP BY ALL
),

breakdowns AS (
    SELECT 'all' AS breakdown, 'ALL' AS breakdown_value
    UNION
    SELECT DISTINCT 'team', team_label FROM referrals
),

joined AS (
    SELECT
        p.*, b.breakdown, b.breakdown_value,
        coalesce(c.ethnicity_num, 0) AS ethnicity_num,
        coalesce(c.religion_num, 0) AS religion_num,
        coalesce(c.den, 0) AS den
    FROM periods AS p
    CROSS JOIN breakdowns AS b
    LEFT JOIN counts AS c USING (period_type, period_label, breakdown, breakdown_value)
)

SELECT
    'ethnicity_recorded_pct' AS metric_id,
    period_type, period_label, period_start, period_end, breakdown, breakdown_value,
    ethnicity_num::DOUBLE AS numerator,
    den::DOUBLE AS denominator,
    marts.pct(ethnicity_num, den)::DOUBLE AS value
FROM joined
UNION ALL
SELECT
    'religion_recorded_pct',
    period_type, period_label, period_start, period_end, breakdown, breakdown_value,
    religion_num::DOUBLE,
    den::DOUBLE,
    marts.pct(religion_num, den)::DOUBLE
FROM joined;

COMMENT ON TABLE marts.metrics_recording IS 'Recording family of marts.metric_values: ethnicity_recorded_pct and religion_recorded_pct by period and team of the child''s latest referral in the period (only when children.csv is present).';
