-- requires: marts.fact_referrals, staging.early_help, marts.period_days, marts.periods
--
-- Referrals of children already known to early help (docs/metrics.md v5:
-- referrals_known_to_early_help_pct). Why: the 2013 letter found families did not always "move
-- in and out of the right services at the right time".
-- Merged referrals in the period whose child has an early-help episode (linked by child_id)
-- with start_date <= referral_date and end_date blank or >= referral_date - 30 days (an episode
-- that ended 30 days before the referral counts, 31 days does not). As at: an episode starting
-- after as_at has not happened; an end after it is blank. Breakdown: the referral's team.

CREATE OR REPLACE TABLE marts.metrics_early_help_known AS
WITH
episodes AS (
    SELECT
        child_id, start_date,
        CASE WHEN end_date <= getvariable('as_at') THEN end_date END AS end_date
    FROM staging.early_help
    WHERE start_date <= getvariable('as_at') AND child_id IS NOT NULL
),

known AS (
    SELECT DISTINCT r.referral_key
    FROM marts.fact_referrals AS r
    JOIN episodes AS e
        ON e.child_id = r.child_id
        AND e.start_date <= r.referral_date
        AND coalesce(e.end_date, DATE '9999-12-31') >= r.referral_date - INTERVAL 30 DAY
),

cases AS (
    SELECT
        'referrals_known_to_early_help_pct' AS metric_id, p.period_type, p.period_label,
        marts.by_team(r.team_label) AS under, (k.referral_key IS NOT NULL)::INT AS n, 1 AS d,
        NULL AS x
    FROM marts.fact_referrals AS r
    LEFT JOIN known AS k USING (referral_key)
    JOIN marts.period_days AS p ON p.date = r.referral_date
),

breakdowns AS (
    SELECT marts.by_team(team_label) AS under FROM marts.fact_referrals
)

SELECT * FROM marts.metric_family(
    cases, breakdowns, [{'metric_id': 'referrals_known_to_early_help_pct', 'kind': 'pct'}]
);

COMMENT ON TABLE marts.metrics_early_help_known IS 'referrals_known_to_early_help_pct for marts.metric_values, by period and merged referral team (only when early_help.csv is present).';
