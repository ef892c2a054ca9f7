-- requires: marts.fact_contacts, marts.periods, marts.period_days
-- marts.metrics_contacts: contacts, contact_decision_1wd_pct, contact_to_referral_pct and
-- contacts_awaiting_decision; for all, by team and by out_of_hours.
-- The family pattern (docs/metrics.md "The framework"): a file says which cases each metric
-- counts in which period (events through marts.period_days, an equality join on their date;
-- snapshots as the facts open at each period_end, a range join) and under which breakdowns;
-- marts.metric_family (sql/macros/) makes the grid, counts, percentages and medians.

CREATE OR REPLACE TABLE marts.metrics_contacts AS
WITH
-- Each contact under its team and its out_of_hours flag (besides all).
contacts AS (
    SELECT
        *,
        marts.by_team(team_label)
            || [{'breakdown': 'out_of_hours', 'breakdown_value': out_of_hours}] AS under
    FROM marts.fact_contacts
),

-- Event measures: each contact in the month and the financial year of its contact date.
received AS (
    SELECT pd.period_type, pd.period_label, c.*
    FROM contacts AS c
    INNER JOIN marts.period_days AS pd ON pd.date = c.contact_date
),

cases AS (
    SELECT
        'contacts' AS metric_id, period_type, period_label, under, 1 AS n, NULL AS d, NULL AS x
    FROM received
    UNION ALL
    SELECT
        'contact_decision_1wd_pct', period_type, period_label, under,
        decided_within_1wd::INT, in_decision_1wd_denominator::INT, NULL
    FROM received
    UNION ALL
    SELECT
        'contact_to_referral_pct', period_type, period_label, under,
        became_referral::INT, decided::INT, NULL
    FROM received
    UNION ALL
    -- Snapshot: awaiting a decision at period_end (received on or before it, no decision on or
    -- before it).
    SELECT 'contacts_awaiting_decision', p.period_type, p.period_label, c.under, 1, NULL, NULL
    FROM contacts AS c
    INNER JOIN marts.periods AS p
        ON c.contact_date <= p.period_end
        AND coalesce(c.decision_date, DATE '9999-12-31') > p.period_end
),

breakdowns AS (
    SELECT under FROM contacts
)

SELECT * FROM marts.metric_family(cases, breakdowns, [
    {'metric_id': 'contacts', 'kind': 'count'},
    {'metric_id': 'contact_decision_1wd_pct', 'kind': 'pct'},
    {'metric_id': 'contact_to_referral_pct', 'kind': 'pct'},
    {'metric_id': 'contacts_awaiting_decision', 'kind': 'count'}
]);

COMMENT ON TABLE marts.metrics_contacts IS 'The contact family in metric_values shape: contacts, contact_decision_1wd_pct, contact_to_referral_pct, contacts_awaiting_decision; for all, by team and by out_of_hours.';
