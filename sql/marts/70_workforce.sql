-- requires: staging.workers
--
-- Agency social workers (spec/metrics.md: agency_social_worker_pct). Why: the 2013 letter
-- found a shortage of permanent social workers; agency cover means less continuity for children.
-- Snapshot at each period end T: qualified social workers (qualified_social_worker = Y) in post
-- at T (start blank or <= T, end blank or > T); numerator those with employment = AGENCY. Head
-- count, not FTE; blank employment stays in the denominator. Workers starting after as_at are
-- not yet in post; an end after as_at is blank. Needs only workers.csv (not allocations).
-- Breakdown: the worker's team.

CREATE OR REPLACE TABLE marts.fact_workers AS
WITH
run AS (
    SELECT getvariable('as_at')::DATE AS as_at
),

-- import: workers as they stood on as_at
workers AS (
    SELECT
        w.worker_id,
        marts.team_label(w.team) AS team,
        coalesce(w.qualified_social_worker, false) AS qualified,
        upper(trim(w.employment)) AS employment,
        w.start_date,
        CASE WHEN w.end_date <= run.as_at THEN w.end_date END AS end_date,
        run.as_at
    FROM staging.workers AS w
    CROSS JOIN run
    WHERE w.start_date IS NULL OR w.start_date <= run.as_at
)

SELECT
    worker_id,
    team,
    qualified,
    employment,
    coalesce(employment = 'AGENCY', false) AS agency,
    start_date,
    end_date,
    end_date IS NULL AS in_post_at_as_at
FROM workers;

COMMENT ON TABLE marts.fact_workers IS 'One row per worker in post at some time on or before as_at (start blank or on or before as_at), as the record stood on as_at (an end after as_at is blank). Behind agency_social_worker_pct and caseload_per_social_worker.';
COMMENT ON COLUMN marts.fact_workers.worker_id IS 'The worker.';
COMMENT ON COLUMN marts.fact_workers.team IS 'The worker''s team ((none) when blank): the team breakdown of the workforce metrics.';
COMMENT ON COLUMN marts.fact_workers.qualified IS 'True when qualified_social_worker = Y (a registered social worker).';
COMMENT ON COLUMN marts.fact_workers.employment IS 'PERMANENT or AGENCY as recorded; NULL when blank.';
COMMENT ON COLUMN marts.fact_workers.agency IS 'True when employment = AGENCY (agency_social_worker_pct numerator, for qualified workers in post).';
COMMENT ON COLUMN marts.fact_workers.start_date IS 'Start in post; NULL = in post from before the data.';
COMMENT ON COLUMN marts.fact_workers.end_date IS 'End in post; NULL while in post or when dated after as_at.';
COMMENT ON COLUMN marts.fact_workers.in_post_at_as_at IS 'True when in post at as_at (no end on or before it).';

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
