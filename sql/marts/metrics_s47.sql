-- requires: marts.fact_s47_enquiries, marts.periods, marts.period_days, ref.calendar
--
-- Section 47 enquiries and their initial child protection conferences (ICPCs).
-- Metrics (docs/metrics.md): s47_enquiries, icpc_15wd_pct, s47_overdue_icpc.
-- Why: Working Together expects an ICPC within 15 working days of the strategy discussion that
-- started the enquiry; a late conference leaves a child at risk without a plan.
-- Breakdown: the enquiry's own team (blank -> '(none)'), so team rows sum to ALL.

-- Metrics: every period x (ALL + every team that occurs) gets a row.
CREATE OR REPLACE TABLE marts.metrics_s47 AS
WITH
periods AS (
    SELECT p.period_type, p.period_label, p.period_end, c.wd_index AS end_wd_index
    FROM marts.periods AS p
    LEFT JOIN ref.calendar AS c ON c.date = p.period_end
),

cases AS (
    -- s47_enquiries: each enquiry in the period of its strategy date
    SELECT
        's47_enquiries' AS metric_id, p.period_type, p.period_label,
        marts.by_team(e.team) AS under, 1 AS n, NULL AS d, NULL AS x
    FROM marts.fact_s47_enquiries AS e
    JOIN marts.period_days AS p ON p.date = e.strategy_date
    UNION ALL
    -- icpc_15wd_pct: ICPCs held in period (by icpc_date)
    SELECT
        'icpc_15wd_pct', p.period_type, p.period_label,
        marts.by_team(e.team), e.icpc_within_15wd::INT, 1, NULL
    FROM marts.fact_s47_enquiries AS e
    JOIN marts.period_days AS p ON p.date = e.icpc_date
    WHERE e.icpc_in_timeliness
    UNION ALL
    -- s47_overdue_icpc: snapshot at period end T. The enquiry is waiting for a conference from
    -- its strategy date until it ends or has an ICPC (whichever first), unless ruled out.
    SELECT
        's47_overdue_icpc', p.period_type, p.period_label,
        marts.by_team(e.team), 1, NULL, NULL
    FROM marts.fact_s47_enquiries AS e
    JOIN periods AS p
        ON e.strategy_date <= p.period_end
        AND least(
            coalesce(e.end_date, DATE '9999-12-31'),
            coalesce(e.icpc_date, DATE '9999-12-31')
        ) > p.period_end
    WHERE NOT e.icpc_not_required
        AND p.end_wd_index - e.strategy_wd_index > 15
),

breakdowns AS (
    SELECT marts.by_team(team) AS under FROM marts.fact_s47_enquiries
)

SELECT * FROM marts.metric_family(cases, breakdowns, [
    {'metric_id': 's47_enquiries', 'kind': 'count'},
    {'metric_id': 'icpc_15wd_pct', 'kind': 'pct'},
    {'metric_id': 's47_overdue_icpc', 'kind': 'count'}
]);

COMMENT ON TABLE marts.metrics_s47 IS 'S47 family of marts.metric_values: s47_enquiries, icpc_15wd_pct, s47_overdue_icpc by period and team.';
