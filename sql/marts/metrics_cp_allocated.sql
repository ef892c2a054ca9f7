-- requires: marts.fact_cp_children_open, marts.fact_allocations, marts.fact_cp_plans, marts.periods
--
-- Children on a plan allocated to a qualified social worker (docs/metrics.md:
-- cp_allocated_qualified_pct). Why: the 2010 letter found CP children not allocated to
-- qualified social workers.
-- Snapshot at each period end T over children with a plan open at T (marts.fact_cp_children_open,
-- which also gives the team a child is counted under: its open plan that started last), with a
-- qualified allocation open at T as marts.fact_allocations defines it (metrics.md "Qualified
-- allocation": worker qualified = Y and still in post at T; an allocation starting on a day its
-- worker was not in post never counts). Any allocation of the child counts, whatever its
-- referral_id. Needs allocations.csv and workers.csv (no workers: qualification unknown).

CREATE OR REPLACE TABLE marts.metrics_cp_allocated AS
WITH
qualified AS (
    SELECT child_id, qualified_start, coalesce(qualified_end, DATE '9999-12-31') AS qualified_end
    FROM marts.fact_allocations
    WHERE qualified_start IS NOT NULL
),

-- children on a plan at T with a qualified allocation open at T (child and range join)
allocated AS (
    SELECT DISTINCT c.period_type, c.period_label, c.child_id
    FROM marts.fact_cp_children_open AS c
    JOIN qualified AS q
        ON q.child_id = c.child_id
        AND q.qualified_start <= c.period_end
        AND q.qualified_end > c.period_end
),

-- each child on a plan at T; allocated ones are the numerator
cases AS (
    SELECT
        'cp_allocated_qualified_pct' AS metric_id, c.period_type, c.period_label,
        marts.by_team(c.team) AS under, (a.child_id IS NOT NULL)::INT AS n, 1 AS d, NULL AS x
    FROM marts.fact_cp_children_open AS c
    LEFT JOIN allocated AS a USING (period_type, period_label, child_id)
),

breakdowns AS (
    SELECT marts.by_team(team) AS under FROM marts.fact_cp_plans
)

SELECT * FROM marts.metric_family(
    cases, breakdowns, [{'metric_id': 'cp_allocated_qualified_pct', 'kind': 'pct'}]
);

COMMENT ON TABLE marts.metrics_cp_allocated IS 'cp_allocated_qualified_pct for marts.metric_values, by period and the team a child on a plan is counted under (only when allocations.csv and workers.csv are present).';
