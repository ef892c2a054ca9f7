-- requires: marts.fact_referrals, marts.periods, marts.period_days
-- marts.metrics_referrals: referrals, rereferral_12m_pct, referral_nfa_pct; for all and by team.
-- Every figure counts merged referrals (marts.fact_referrals: one per child and referral date).
-- Same pattern as metrics_contacts.sql.

CREATE OR REPLACE TABLE marts.metrics_referrals AS
WITH

periods AS (
    SELECT period_type, period_label, period_start, period_end FROM marts.periods
),

period_days AS (
    SELECT date, period_type, period_label FROM marts.period_days
),

referrals AS (
    SELECT * FROM marts.fact_referrals
),

-- Each referral in the month and financial year of its referral date.
referred AS (
    SELECT pd.period_type, pd.period_label, r.*
    FROM referrals AS r
    INNER JOIN period_days AS pd ON pd.date = r.referral_date
),

referred_by_breakdown AS (
    SELECT *, 'all' AS breakdown, 'ALL' AS breakdown_value FROM referred
    UNION ALL
    SELECT *, 'team', team_label FROM referred
),

counts AS (
    SELECT
        period_type, period_label, breakdown, breakdown_value,
        count(*) AS referrals,
        count(*) FILTER (WHERE rereferral_12m) AS rereferrals,
        count(*) FILTER (WHERE nfa) AS nfa
    FROM referred_by_breakdown
    GROUP BY ALL
),

spine AS (
    SELECT p.*, b.breakdown, b.breakdown_value
    FROM periods AS p
    CROSS JOIN (
        SELECT 'all' AS breakdown, 'ALL' AS breakdown_value
        UNION
        SELECT DISTINCT 'team', team_label FROM referrals
    ) AS b
),

measures AS (
    SELECT
        s.*,
        coalesce(c.referrals, 0) AS referrals,
        coalesce(c.rereferrals, 0) AS rereferrals,
        coalesce(c.nfa, 0) AS nfa
    FROM spine AS s
    LEFT JOIN counts AS c USING (period_type, period_label, breakdown, breakdown_value)
)

SELECT
    'referrals' AS metric_id,
    period_type, period_label, period_start, period_end, breakdown, breakdown_value,
    CAST(referrals AS DOUBLE) AS numerator,
    CAST(NULL AS DOUBLE) AS denominator,
    CAST(referrals AS DOUBLE) AS value
FROM measures
UNION ALL
SELECT
    'rereferral_12m_pct',
    period_type, period_label, period_start, period_end, breakdown, breakdown_value,
    rereferrals, referrals, marts.pct(rereferrals, referrals)
FROM measures
UNION ALL
SELECT
    'referral_nfa_pct',
    period_type, period_label, period_start, period_end, breakdown, breakdown_value,
    nfa, referrals, marts.pct(nfa, referrals)
FROM measures;

COMMENT ON TABLE marts.metrics_referrals IS 'The referral family in metric_values shape: referrals, rereferral_12m_pct, referral_nfa_pct; for all and by team (of the merged referral).';
