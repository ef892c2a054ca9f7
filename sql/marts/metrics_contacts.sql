-- requires: marts.fact_contacts, marts.periods, marts.period_days
-- marts.metrics_contacts: contacts, contact_decision_1wd_pct, contact_to_referral_pct and
-- contacts_awaiting_decision; for all, by team and by out_of_hours.
-- The family pattern (docs/metrics.md "The framework"): events find their periods through
-- marts.period_days (equality join on date), snapshots take the facts open at each period_end
-- (range join); each row is then counted once for 'all' and once per breakdown; the counts are
-- joined onto a spine of every period x every breakdown value so an empty period gives 0/NULL.

CREATE OR REPLACE TABLE marts.metrics_contacts AS
WITH

periods AS (
    SELECT period_type, period_label, period_start, period_end FROM marts.periods
),

period_days AS (
    SELECT date, period_type, period_label FROM marts.period_days
),

contacts AS (
    SELECT * FROM marts.fact_contacts
),

-- Event measures: each contact in the month and the financial year of its contact date.
received AS (
    SELECT pd.period_type, pd.period_label, c.*
    FROM contacts AS c
    INNER JOIN period_days AS pd ON pd.date = c.contact_date
),

-- Snapshot: awaiting a decision at period_end (received on or before it, no decision on or
-- before it).
awaiting AS (
    SELECT p.period_type, p.period_label, c.*
    FROM contacts AS c
    INNER JOIN periods AS p
        ON c.contact_date <= p.period_end
        AND coalesce(c.decision_date, DATE '9999-12-31') > p.period_end
),

-- Each row once for 'all', once for its team, once for its out_of_hours flag: the breakdowns
-- come from the same count as the total, so each breakdown sums to it.
received_by_breakdown AS (
    SELECT *, 'all' AS breakdown, 'ALL' AS breakdown_value FROM received
    UNION ALL
    SELECT *, 'team', team_label FROM received
    UNION ALL
    SELECT *, 'out_of_hours', out_of_hours FROM received
),

awaiting_by_breakdown AS (
    SELECT *, 'all' AS breakdown, 'ALL' AS breakdown_value FROM awaiting
    UNION ALL
    SELECT *, 'team', team_label FROM awaiting
    UNION ALL
    SELECT *, 'out_of_hours', out_of_hours FROM awaiting
),

received_counts AS (
    SELECT
        period_type, period_label, breakdown, breakdown_value,
        count(*) AS contacts,
        count(*) FILTER (WHERE decided_within_1wd) AS decided_1wd,
        count(*) FILTER (WHERE in_decision_1wd_denominator) AS decision_1wd_denominator,
        count(*) FILTER (WHERE became_referral) AS became_referral,
        count(*) FILTER (WHERE decided) AS decided
    FROM received_by_breakdown
    GROUP BY ALL
),

awaiting_counts AS (
    SELECT period_type, period_label, breakdown, breakdown_value, count(*) AS awaiting
    FROM awaiting_by_breakdown
    GROUP BY ALL
),

-- Every period x 'all' and every breakdown value that occurs in the contacts.
spine AS (
    SELECT p.*, b.breakdown, b.breakdown_value
    FROM periods AS p
    CROSS JOIN (
        SELECT 'all' AS breakdown, 'ALL' AS breakdown_value
        UNION
        SELECT DISTINCT 'team', team_label FROM contacts
        UNION
        SELECT DISTINCT 'out_of_hours', out_of_hours FROM contacts
    ) AS b
),

measures AS (
    SELECT
        s.*,
        coalesce(r.contacts, 0) AS contacts,
        coalesce(r.decided_1wd, 0) AS decided_1wd,
        coalesce(r.decision_1wd_denominator, 0) AS decision_1wd_denominator,
        coalesce(r.became_referral, 0) AS became_referral,
        coalesce(r.decided, 0) AS decided,
        coalesce(a.awaiting, 0) AS awaiting
    FROM spine AS s
    LEFT JOIN received_counts AS r USING (period_type, period_label, breakdown, breakdown_value)
    LEFT JOIN awaiting_counts AS a USING (period_type, period_label, breakdown, breakdown_value)
)

SELECT
    'contacts' AS metric_id,
    period_type, period_label, period_start, period_end, breakdown, breakdown_value,
    CAST(contacts AS DOUBLE) AS numerator,
    CAST(NULL AS DOUBLE) AS denominator,
    CAST(contacts AS DOUBLE) AS value
FROM measures
UNION ALL
SELECT
    'contact_decision_1wd_pct',
    period_type, period_label, period_start, period_end, breakdown, breakdown_value,
    decided_1wd, decision_1wd_denominator, marts.pct(decided_1wd, decision_1wd_denominator)
FROM measures
UNION ALL
SELECT
    'contact_to_referral_pct',
    period_type, period_label, period_start, period_end, breakdown, breakdown_value,
    became_referral, decided, marts.pct(became_referral, decided)
FROM measures
UNION ALL
SELECT
    'contacts_awaiting_decision',
    period_type, period_label, period_start, period_end, breakdown, breakdown_value,
    awaiting, NULL, awaiting
FROM measures;

-- Columns of a metrics_<family> table get the metric_values comments from pipelines/marts.py.
COMMENT ON TABLE marts.metrics_contacts IS 'The contact family in metric_values shape: contacts, contact_decision_1wd_pct, contact_to_referral_pct, contacts_awaiting_decision; for all, by team and by out_of_hours.';
