-- requires: marts.fact_workers, marts.periods
--
-- Agency social workers (docs/metrics.md: agency_social_worker_pct). Why: the 2013 letter
-- found a shortage of permanent social workers; agency cover means less continuity for children.
-- Snapshot at each period end T: qualified social workers (qualified_social_worker = Y) in post
-- at T (start blank or <= T, end blank or > T); numerator those with employment = AGENCY. Head
-- count, not FTE; blank employment stays in the denominator. Workers starting after as_at are
-- not yet in post; an end after as_at is blank. Needs only workers.csv (not allocations).
-- Breakdown: the worker's team.

CREATE OR REPLACE TABLE marts.metrics_workforce AS
WITH
periods AS (
    SELECT period_type, period_label, period_start, period_end FROM marts.periods
),

qualified AS (
    SELECT
        worker_id, team, agency,
        coalesce(start_date, DATE '0001-01-01') AS start_date,
        coalesce(end_date, DATE '9999-12-31') AS end_date
    FROM marts.fact_workers
    WHERE qualified
),

-- qualified workers in post at T (range join)
in_post AS (
    SELECT p.period_type, p.period_label, q.team, q.agency
    FROM qualified AS q
    JOIN periods AS p ON q.start_date <= p.period_end AND q.end_date > p.period_end
),

in_post_bd AS (
    SELECT period_type, period_label, 'all' AS breakdown, 'ALL' AS breakdown_value, agency
    FROM in_post
    UNION ALL
    SELECT period_type, period_label, 'team', team, agency FROM in_post
),

counts AS (
    SELECT
        period_type, period_label, breakdown, breakdown_value,
        count(*) FILTER (WHERE agency) AS num,
        count(*) AS den
    FROM in_post_bd
    GROUP BY ALL
),

breakdowns AS (
    SELECT 'all' AS breakdown, 'ALL' AS breakdown_value
    UNION
    SELECT DISTINCT 'team', team FROM marts.fact_workers
)

SELECT
    'agency_social_worker_pct' AS metric_id,
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

COMMENT ON TABLE marts.metrics_workforce IS 'agency_social_worker_pct for marts.metric_values, by period and worker team (only when workers.csv is present).';
