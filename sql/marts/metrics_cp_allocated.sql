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
periods AS (
    SELECT period_type, period_label, period_start, period_end FROM marts.periods
),

children_open AS (
    SELECT period_type, period_label, period_end, child_id, team FROM marts.fact_cp_children_open
),

qualified AS (
    SELECT child_id, qualified_start, coalesce(qualified_end, DATE '9999-12-31') AS qualified_end
    FROM marts.fact_allocations
    WHERE qualified_start IS NOT NULL
),

-- children on a plan at T with a qualified allocation open at T (child and range join)
allocated AS (
    SELECT DISTINCT c.period_type, c.period_label, c.child_id
    FROM children_open AS c
    JOIN qualified AS q
        ON q.child_id = c.child_id
        AND q.qualified_start <= c.period_end
        AND q.qualified_end > c.period_end
),

judged AS (
    SELECT c.period_type, c.period_label, c.team, a.child_id IS NOT NULL AS allocated
    FROM children_open AS c
    LEFT JOIN allocated AS a USING (period_type, period_label, child_id)
),

judged_bd AS (
    SELECT period_type, period_label, 'all' AS breakdown, 'ALL' AS breakdown_value, allocated
    FROM judged
    UNION ALL
    SELECT period_type, period_label, 'team', team, allocated FROM judged
),

counts AS (
    SELECT
        period_type, period_label, breakdown, breakdown_value,
        count(*) FILTER (WHERE allocated) AS num,
        count(*) AS den
    FROM judged_bd
    GROUP BY ALL
),

breakdowns AS (
    SELECT 'all' AS breakdown, 'ALL' AS breakdown_value
    UNION
    SELECT DISTINCT 'team', team FROM marts.fact_cp_plans
)

SELECT
    'cp_allocated_qualified_pct' AS metric_id,
    p.period_type,
    p.period_label,
    p.period_start,
    p.period_end,
    b.breakdown,
    b.breakdown_value,
    coalesce(c.num, 0)::DOUBLE AS numerator,
    coalesce(c.den, 0)::DOUBLE AS denominator,
    marts.pct(coalesce(c.num, 0), coalesce(c.den, 0))::DOUBLE AS value
FROM periods AS p
CROSS JOIN breakdowns AS b
LEFT JOIN counts AS c USING (period_type, period_label, breakdown, breakdown_value);

COMMENT ON TABLE marts.metrics_cp_allocated IS 'cp_allocated_qualified_pct for marts.metric_values, by period and the team a child on a plan is counted under (only when allocations.csv and workers.csv are present).';
