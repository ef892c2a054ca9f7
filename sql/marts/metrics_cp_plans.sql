-- requires: marts.fact_cp_plans, marts.fact_cp_children_open, marts.periods, marts.period_days
--
-- Child protection plans: how many, how many start and end, repeat plans and long plans.
-- Metrics (docs/metrics.md): cp_plans_open, cp_plans_started, cp_plans_ended,
-- cp_second_or_subsequent_pct, cp_plans_2y_plus_pct, cp_ended_2y_plus_pct.
-- Why: the 2010 letter saw CP plans double; repeat plans and plans lasting two years or more are
-- the DfE's signs that protection is not working.
-- Breakdown: the plan's team. cp_plans_open counts children, so a child with two plans open at T
-- is counted once, under the team of the open plan that started last (ties: lowest plan_id), and
-- the team rows sum to ALL (marts.fact_cp_children_open).

CREATE OR REPLACE TABLE marts.metrics_cp_plans AS
WITH
cases AS (
    -- cp_plans_open: children (not plans) with a plan open at T
    SELECT
        'cp_plans_open' AS metric_id, period_type, period_label,
        marts.by_team(team) AS under, 1 AS n, NULL AS d, NULL AS x
    FROM marts.fact_cp_children_open
    UNION ALL
    SELECT
        'cp_plans_started', p.period_type, p.period_label, marts.by_team(c.team), 1, NULL, NULL
    FROM marts.fact_cp_plans AS c
    JOIN marts.period_days AS p ON p.date = c.start_date
    UNION ALL
    SELECT
        'cp_second_or_subsequent_pct', p.period_type, p.period_label, marts.by_team(c.team),
        c.second_or_subsequent::INT, 1, NULL
    FROM marts.fact_cp_plans AS c
    JOIN marts.period_days AS p ON p.date = c.start_date
    UNION ALL
    SELECT
        'cp_plans_ended', p.period_type, p.period_label, marts.by_team(c.team), 1, NULL, NULL
    FROM marts.fact_cp_plans AS c
    JOIN marts.period_days AS p ON p.date = c.end_date
    UNION ALL
    SELECT
        'cp_ended_2y_plus_pct', p.period_type, p.period_label, marts.by_team(c.team),
        c.ended_2y_plus::INT, 1, NULL
    FROM marts.fact_cp_plans AS c
    JOIN marts.period_days AS p ON p.date = c.end_date
    UNION ALL
    -- plans (not children) open at T, and those with start <= T - 2 years
    SELECT
        'cp_plans_2y_plus_pct', p.period_type, p.period_label, marts.by_team(c.team),
        (c.start_date <= (p.period_end - INTERVAL 2 YEAR)::DATE)::INT, 1, NULL
    FROM marts.fact_cp_plans AS c
    JOIN marts.periods AS p
        ON c.start_date <= p.period_end
        AND coalesce(c.end_date, DATE '9999-12-31') > p.period_end
),

breakdowns AS (
    SELECT marts.by_team(team) AS under FROM marts.fact_cp_plans
)

SELECT * FROM marts.metric_family(cases, breakdowns, [
    {'metric_id': 'cp_plans_open', 'kind': 'count'},
    {'metric_id': 'cp_plans_started', 'kind': 'count'},
    {'metric_id': 'cp_plans_ended', 'kind': 'count'},
    {'metric_id': 'cp_second_or_subsequent_pct', 'kind': 'pct'},
    {'metric_id': 'cp_plans_2y_plus_pct', 'kind': 'pct'},
    {'metric_id': 'cp_ended_2y_plus_pct', 'kind': 'pct'}
]);

COMMENT ON TABLE marts.metrics_cp_plans IS 'CP plan family of marts.metric_values: cp_plans_open, cp_plans_started, cp_plans_ended, cp_second_or_subsequent_pct, cp_plans_2y_plus_pct, cp_ended_2y_plus_pct by period and team.';
