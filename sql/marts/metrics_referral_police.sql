-- requires: marts.fact_referrals, staging.referrals, marts.period_days, marts.periods
--
-- Referrals from the police (docs/metrics.md v5: referral_police_pct). Why: the 2013 letter's
-- "working with the police"; DfE publishes the police share of referrals nationally.
-- Merged referrals (marts.fact_referrals: one per child and referral date) in the period whose
-- source is 6 (police) on any copy. Breakdown: the merged referral's team.

CREATE OR REPLACE TABLE marts.metrics_referral_police AS
WITH
police AS (
    SELECT child_id, referral_date, bool_or(upper(trim(source)) = '6') AS police
    FROM staging.referrals
    GROUP BY ALL
),

cases AS (
    SELECT
        'referral_police_pct' AS metric_id, p.period_type, p.period_label,
        marts.by_team(r.team_label) AS under, coalesce(s.police, false)::INT AS n, 1 AS d,
        NULL AS x
    FROM marts.fact_referrals AS r
    LEFT JOIN police AS s USING (child_id, referral_date)
    JOIN marts.period_days AS p ON p.date = r.referral_date
),

breakdowns AS (
    SELECT marts.by_team(team_label) AS under FROM marts.fact_referrals
)

SELECT * FROM marts.metric_family(
    cases, breakdowns, [{'metric_id': 'referral_police_pct', 'kind': 'pct'}]
);

COMMENT ON TABLE marts.metrics_referral_police IS 'referral_police_pct for marts.metric_values, by period and merged referral team.';
