-- requires: staging.cin_plans, marts.periods
--
-- Children on a child in need plan (docs/metrics.md v5: cin_plans_open). Why: the 2013 letter
-- found that "when they do get a social worker there is not always a clear plan".
-- Snapshot at each period end T: distinct children with a plan open at T (started on or before
-- T, end blank or after T; a plan starting after as_at has not happened, an end after it is
-- blank). A child with two plans open is counted once, under the team of the open plan that
-- started last (ties: lowest plan_id), so the teams sum to all.

CREATE OR REPLACE TABLE marts.metrics_cin_plans AS
WITH
plans AS (
    SELECT
        plan_id, child_id, start_date,
        CASE WHEN end_date <= getvariable('as_at') THEN end_date END AS end_date,
        marts.team_label(team) AS team
    FROM staging.cin_plans
    WHERE start_date <= getvariable('as_at')
),

period_ends AS (
    SELECT DISTINCT period_end FROM marts.periods
),

children_open AS (
    SELECT e.period_end, c.child_id, arg_min(c.team, (-epoch(c.start_date), c.plan_id)) AS team
    FROM plans AS c
    JOIN period_ends AS e
        ON c.start_date <= e.period_end
        AND coalesce(c.end_date, DATE '9999-12-31') > e.period_end
    GROUP BY ALL
),

cases AS (
    SELECT
        'cin_plans_open' AS metric_id, p.period_type, p.period_label,
        marts.by_team(c.team) AS under, 1 AS n, NULL AS d, NULL AS x
    FROM children_open AS c
    JOIN marts.periods AS p USING (period_end)
),

breakdowns AS (
    SELECT marts.by_team(team) AS under FROM plans
)

SELECT * FROM marts.metric_family(
    cases, breakdowns, [{'metric_id': 'cin_plans_open', 'kind': 'count'}]
);

COMMENT ON TABLE marts.metrics_cin_plans IS 'cin_plans_open for marts.metric_values, by period and the team of the child''s latest open plan (only when cin_plans.csv is present).';
