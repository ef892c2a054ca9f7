-- requires: marts.fact_cp_plans, marts.fact_allocations
-- marts.fact_cp_plan_allocations: whether each plan's child has a qualified allocation open at
-- as_at (one row per row of marts.fact_cp_plans, joined on plan_id). Only when allocations.csv
-- and workers.csv are present: without them it is unknown, not no.

CREATE OR REPLACE TABLE marts.fact_cp_plan_allocations AS
SELECT
    p.plan_id,
    count(a.child_id) > 0 AS child_qualified_allocation_at_as_at
FROM marts.fact_cp_plans AS p
LEFT JOIN marts.fact_allocations AS a
    ON a.child_id = p.child_id
    AND a.qualified_start <= getvariable('as_at')
    AND coalesce(a.qualified_end, DATE '9999-12-31') > getvariable('as_at')
GROUP BY p.plan_id
ORDER BY p.plan_id;

COMMENT ON TABLE marts.fact_cp_plan_allocations IS 'Whether the child of each plan in marts.fact_cp_plans (join on plan_id) has a qualified allocation open at as_at. Present only when allocations.csv and workers.csv are.';
COMMENT ON COLUMN marts.fact_cp_plan_allocations.plan_id IS 'The plan.';
COMMENT ON COLUMN marts.fact_cp_plan_allocations.child_qualified_allocation_at_as_at IS 'True when the plan''s child has a qualified allocation open at as_at (worker qualified and in post). Present only when allocations.csv and workers.csv are.';
