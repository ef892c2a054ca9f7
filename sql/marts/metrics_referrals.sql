-- requires: marts.fact_referrals, marts.periods, marts.period_days
-- marts.metrics_referrals: referrals, rereferral_12m_pct, referral_nfa_pct; for all and by team.
-- Every figure counts merged referrals (marts.fact_referrals: one per child and referral date).

CREATE OR REPLACE TABLE marts.metrics_referrals AS
WITH
-- Each merged referral in the month and financial year of its referral date.
referred AS (
    SELECT pd.period_type, pd.period_label, r.*
    FROM marts.fact_referrals AS r
    INNER JOIN marts.period_days AS pd ON pd.date = r.referral_date
),

cases AS (
    SELECT
        'referrals' AS metric_id, period_type, period_label,
        marts.by_team(team_label) AS under, 1 AS n, NULL AS d, NULL AS x
    FROM referred
    UNION ALL
    SELECT
        'rereferral_12m_pct', period_type, period_label,
        marts.by_team(team_label), rereferral_12m::INT, 1, NULL
    FROM referred
    UNION ALL
    SELECT
        'referral_nfa_pct', period_type, period_label,
        marts.by_team(team_label), nfa::INT, 1, NULL
    FROM referred
),

breakdowns AS (
    SELECT marts.by_team(team_label) AS under FROM marts.fact_referrals
)

SELECT * FROM marts.metric_family(cases, breakdowns, [
    {'metric_id': 'referrals', 'kind': 'count'},
    {'metric_id': 'rereferral_12m_pct', 'kind': 'pct'},
    {'metric_id': 'referral_nfa_pct', 'kind': 'pct'}
]);

COMMENT ON TABLE marts.metrics_referrals IS 'The referral family in metric_values shape: referrals, rereferral_12m_pct, referral_nfa_pct; for all and by team (of the merged referral).';
