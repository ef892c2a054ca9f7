-- requires: marts.fact_allocations, marts.fact_workers, marts.periods
--
-- Caseload per qualified social worker (docs/metrics.md: caseload_per_social_worker).
-- Why: the 2013 letter found children waiting for a social worker; high caseloads are the cause
-- Ofsted looks for.
-- Snapshot at each period end T: numerator the distinct (worker, child) pairs with an allocation
-- open at T whose worker is qualified and in post at T; denominator the distinct such workers
-- holding at least one; value numerator / denominator (NULL when no worker holds a case).
-- The allocations are marts.fact_allocations' qualified-allocation intervals, so the metrics.md
-- "Qualified allocation" rule applies here too: an allocation counts only while its worker is
-- in post, and never if it started on a day its worker was not in post.
-- Breakdown: the worker's team (not the allocation's), so a team's figure is its own workers'
-- caseload; team numerators and denominators sum to ALL.

CREATE OR REPLACE TABLE marts.metrics_caseload AS
WITH
allocations AS (
    SELECT
        worker_id, child_id, qualified_start,
        coalesce(qualified_end, DATE '9999-12-31') AS qualified_end
    FROM marts.fact_allocations
    WHERE qualified_start IS NOT NULL
),

-- The snapshot depends on the date T only: taken once per distinct period end (a financial
-- year's end is also a month's) on a DATE key, and joined back to the periods after.
period_ends AS (
    SELECT DISTINCT period_end FROM marts.periods
),

-- distinct (worker, child) pairs open at T
pairs AS (
    SELECT DISTINCT e.period_end, a.worker_id, a.child_id
    FROM allocations AS a
    JOIN period_ends AS e ON a.qualified_start <= e.period_end AND a.qualified_end > e.period_end
),

per_worker_at_end AS (
    SELECT c.period_end, c.worker_id, w.team, count(*) AS cases
    FROM pairs AS c
    JOIN marts.fact_workers AS w USING (worker_id)
    GROUP BY ALL
),

-- each worker holding cases at T: their cases over one worker
cases AS (
    SELECT
        'caseload_per_social_worker' AS metric_id, p.period_type, p.period_label,
        marts.by_team(w.team) AS under, w.cases AS n, 1 AS d, NULL AS x
    FROM per_worker_at_end AS w
    JOIN marts.periods AS p USING (period_end)
),

breakdowns AS (
    SELECT marts.by_team(team) AS under FROM marts.fact_workers
)

SELECT * FROM marts.metric_family(
    cases, breakdowns, [{'metric_id': 'caseload_per_social_worker', 'kind': 'ratio'}]
);

COMMENT ON TABLE marts.metrics_caseload IS 'caseload_per_social_worker for marts.metric_values, by period and worker team (only when workers.csv and allocations.csv are present).';
