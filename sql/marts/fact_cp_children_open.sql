-- requires: marts.fact_cp_plans, marts.periods
-- marts.fact_cp_children_open: one row per period and child with a plan open at the period end,
-- with the team that child is counted under (the open plan that started last; ties: lowest
-- plan_id). cp_plans_open, the rate per 10,000 and cp_allocated_qualified_pct read it.

CREATE OR REPLACE TABLE marts.fact_cp_children_open AS
WITH
periods AS (
    SELECT period_type, period_label, period_start, period_end FROM marts.periods
),

plans AS (
    SELECT plan_id, child_id, team, start_date, end_date FROM marts.fact_cp_plans
),

-- open at T: started on or before T and not ended on or before T
open_plans AS (
    SELECT p.period_type, p.period_label, p.period_end, c.*
    FROM plans AS c
    JOIN periods AS p
        ON c.start_date <= p.period_end
        AND coalesce(c.end_date, DATE '9999-12-31') > p.period_end
),

ranked AS (
    SELECT
        *,
        count(*) OVER (PARTITION BY period_type, period_label, child_id) AS open_plans,
        row_number() OVER (
            PARTITION BY period_type, period_label, child_id ORDER BY start_date DESC, plan_id
        ) AS rn
    FROM open_plans
)

SELECT period_type, period_label, period_end, child_id, plan_id, team, open_plans
FROM ranked
WHERE rn = 1;

COMMENT ON TABLE marts.fact_cp_children_open IS 'One row per reporting period and child with a child protection plan open at the period end (cp_plans_open).';
COMMENT ON COLUMN marts.fact_cp_children_open.period_type IS 'month or financial_year.';
COMMENT ON COLUMN marts.fact_cp_children_open.period_label IS 'The period, as in marts.periods.';
COMMENT ON COLUMN marts.fact_cp_children_open.period_end IS 'The snapshot date T.';
COMMENT ON COLUMN marts.fact_cp_children_open.child_id IS 'The child on a plan at T.';
COMMENT ON COLUMN marts.fact_cp_children_open.plan_id IS 'The open plan that started last (ties: lowest plan_id); gives the team.';
COMMENT ON COLUMN marts.fact_cp_children_open.team IS 'The team the child is counted under at T: that plan''s team.';
COMMENT ON COLUMN marts.fact_cp_children_open.open_plans IS 'How many plans the child had open at T (more than 1 is a data issue).';
