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
periods AS (
    SELECT period_type, period_label, period_start, period_end FROM marts.periods
),

plans AS (
    SELECT * FROM marts.fact_cp_plans
),

children_open AS (
    SELECT * FROM marts.fact_cp_children_open
),

-- each plan once under ALL and once under its team
plans_bd AS (
    SELECT p.*, 'all' AS breakdown, 'ALL' AS breakdown_value FROM plans AS p
    UNION ALL
    SELECT p.*, 'team' AS breakdown, p.team AS breakdown_value FROM plans AS p
),

breakdowns AS (
    SELECT 'all' AS breakdown, 'ALL' AS breakdown_value
    UNION
    SELECT DISTINCT 'team', team FROM plans
),

spine AS (
    SELECT p.*, b.breakdown, b.breakdown_value
    FROM periods AS p
    CROSS JOIN breakdowns AS b
),

open_children AS (
    SELECT period_type, period_label, 'all' AS breakdown, 'ALL' AS breakdown_value, count(*) AS n
    FROM children_open
    GROUP BY ALL
    UNION ALL
    SELECT period_type, period_label, 'team', team, count(*)
    FROM children_open
    GROUP BY ALL
),

started AS (
    SELECT
        p.period_type, p.period_label, c.breakdown, c.breakdown_value,
        count(*) AS n,
        count(*) FILTER (WHERE c.second_or_subsequent) AS n_repeat
    FROM plans_bd AS c
    JOIN marts.period_days AS p ON p.date = c.start_date
    GROUP BY ALL
),

ended AS (
    SELECT
        p.period_type, p.period_label, c.breakdown, c.breakdown_value,
        count(*) AS n,
        count(*) FILTER (WHERE c.ended_2y_plus) AS n_2y
    FROM plans_bd AS c
    JOIN marts.period_days AS p ON p.date = c.end_date
    GROUP BY ALL
),

-- plans (not children) open at T, and those with start <= T - 2 years
open_plans AS (
    SELECT
        p.period_type, p.period_label, c.breakdown, c.breakdown_value,
        count(*) AS n,
        count(*) FILTER (WHERE c.start_date <= (p.period_end - INTERVAL 2 YEAR)::DATE) AS n_2y
    FROM plans_bd AS c
    JOIN periods AS p
        ON c.start_date <= p.period_end
        AND coalesce(c.end_date, DATE '9999-12-31') > p.period_end
    GROUP BY ALL
),

joined AS (
    SELECT
        s.*,
        coalesce(oc.n, 0) AS children_open,
        coalesce(st.n, 0) AS started,
        coalesce(st.n_repeat, 0) AS started_repeat,
        coalesce(en.n, 0) AS ended,
        coalesce(en.n_2y, 0) AS ended_2y,
        coalesce(op.n, 0) AS plans_open,
        coalesce(op.n_2y, 0) AS plans_open_2y
    FROM spine AS s
    LEFT JOIN open_children AS oc USING (period_type, period_label, breakdown, breakdown_value)
    LEFT JOIN started AS st USING (period_type, period_label, breakdown, breakdown_value)
    LEFT JOIN ended AS en USING (period_type, period_label, breakdown, breakdown_value)
    LEFT JOIN open_plans AS op USING (period_type, period_label, breakdown, breakdown_value)
),

-- one row per metric: (metric_id, numerator, denominator, value)
unpivoted AS (
    SELECT j.*, m.*
    FROM joined AS j
    CROSS JOIN LATERAL (
        VALUES
            ('cp_plans_open', j.children_open, NULL, j.children_open),
            ('cp_plans_started', j.started, NULL, j.started),
            ('cp_plans_ended', j.ended, NULL, j.ended),
            ('cp_second_or_subsequent_pct', j.started_repeat, j.started,
                marts.pct(j.started_repeat, j.started)),
            ('cp_plans_2y_plus_pct', j.plans_open_2y, j.plans_open,
                marts.pct(j.plans_open_2y, j.plans_open)),
            ('cp_ended_2y_plus_pct', j.ended_2y, j.ended, marts.pct(j.ended_2y, j.ended))
    ) AS m(metric_id, numerator, denominator, value)
)

SELECT
    metric_id,
    period_type,
    period_label,
    period_start,
    period_end,
    breakdown,
    breakdown_value,
    numerator::DOUBLE AS numerator,
    denominator::DOUBLE AS denominator,
    value::DOUBLE AS value
FROM unpivoted;

COMMENT ON TABLE marts.metrics_cp_plans IS 'CP plan family of marts.metric_values: cp_plans_open, cp_plans_started, cp_plans_ended, cp_second_or_subsequent_pct, cp_plans_2y_plus_pct, cp_ended_2y_plus_pct by period and team.';
