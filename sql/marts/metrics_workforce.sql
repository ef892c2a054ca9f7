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
qualified AS (
    SELECT
        team, agency,
        coalesce(start_date, DATE '0001-01-01') AS start_date,
        coalesce(end_date, DATE '9999-12-31') AS end_date
    FROM marts.fact_workers
    WHERE qualified
),

-- qualified workers in post at T (range join); the agency ones are the numerator
cases AS (
    SELECT
        'agency_social_worker_pct' AS metric_id, p.period_type, p.period_label,
        marts.by_team(q.team) AS under, q.agency::INT AS n, 1 AS d, NULL AS x
    FROM qualified AS q
    JOIN marts.periods AS p ON q.start_date <= p.period_end AND q.end_date > p.period_end
),

breakdowns AS (
    SELECT marts.by_team(team) AS under FROM marts.fact_workers
)

SELECT * FROM marts.metric_family(
    cases, breakdowns, [{'metric_id': 'agency_social_worker_pct', 'kind': 'pct'}]
);

COMMENT ON TABLE marts.metrics_workforce IS 'agency_social_worker_pct for marts.metric_values, by period and worker team (only when workers.csv is present).';
