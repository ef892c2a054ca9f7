-- requires: staging.workers
-- marts.fact_workers: one row per worker, as in post at as_at (metrics_workforce.sql). The cases
-- each holds at as_at are in marts.fact_worker_caseloads.

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
