-- requires: staging.allocations, staging.workers
-- marts.fact_allocations: one row per allocation starting on or before as_at, with its worker,
-- whether it counts at all (its worker was in post on its start day), and the interval in which
-- it counts as a qualified allocation (docs/metrics.md "Qualified allocation": only while the
-- worker is in post, so a case left with a worker who has gone is unallocated).

CREATE OR REPLACE TABLE marts.fact_allocations AS
WITH

allocations AS (
    SELECT * FROM staging.allocations
),

workers AS (
    SELECT * FROM staging.workers
),

-- As at: a row starting after as_at is ignored, an end after as_at is blank. A worker starting
-- after as_at is not yet in post; a blank worker start means in post from before the data.
as_at_allocations AS (
    SELECT
        allocation_id,
        child_id,
        referral_id,
        worker_id,
        team,
        start_date,
        CASE WHEN end_date <= getvariable('as_at') THEN end_date END AS end_date
    FROM allocations
    WHERE start_date <= getvariable('as_at')
),

as_at_workers AS (
    SELECT
        worker_id,
        marts.is_y(qualified_social_worker) AS qualified,
        start_date AS worker_start_date,
        CASE WHEN end_date <= getvariable('as_at') THEN end_date END AS worker_end_date
    FROM workers
    WHERE start_date IS NULL OR start_date <= getvariable('as_at')
),

joined AS (
    SELECT
        a.*,
        w.worker_id IS NOT NULL AS worker_known,
        coalesce(w.qualified, false) AS worker_qualified,
        w.worker_start_date,
        w.worker_end_date,
        -- In post on the allocation's start day (open-at-T rule applied to the worker). A worker
        -- missing from workers.csv is not known to be in post.
        w.worker_id IS NOT NULL
            AND (w.worker_start_date IS NULL OR w.worker_start_date <= a.start_date)
            AND (w.worker_end_date IS NULL OR w.worker_end_date > a.start_date)
            AS worker_in_post_at_start
    FROM as_at_allocations AS a
    LEFT JOIN as_at_workers AS w ON w.worker_id = a.worker_id
)

SELECT
    allocation_id,
    child_id,
    referral_id,
    worker_id,
    team,
    marts.team_label(team) AS team_label,
    start_date,
    end_date,
    worker_known,
    worker_qualified,
    worker_start_date,
    worker_end_date,
    worker_in_post_at_start AS counts_as_allocation,
    -- The interval [effective_start, effective_end) in which it counts: from its start until the
    -- allocation ends or the worker leaves, whichever is first (least ignores a blank).
    CASE WHEN worker_in_post_at_start THEN start_date END AS effective_start,
    CASE WHEN worker_in_post_at_start THEN least(end_date, worker_end_date) END AS effective_end,
    CASE WHEN worker_in_post_at_start AND worker_qualified THEN start_date END AS qualified_start,
    CASE WHEN worker_in_post_at_start AND worker_qualified THEN least(end_date, worker_end_date) END
        AS qualified_end
FROM joined
ORDER BY start_date, allocation_id;

COMMENT ON TABLE marts.fact_allocations IS 'One row per allocation (a worker holding a child''s case) starting on or before as_at, as it stood on as_at, with its worker and the interval in which it counts (as a qualified allocation). Open at T: effective_start <= T and (effective_end blank or > T).';
COMMENT ON COLUMN marts.fact_allocations.allocation_id IS 'staging.allocations.allocation_id.';
COMMENT ON COLUMN marts.fact_allocations.child_id IS 'The child whose case is held.';
COMMENT ON COLUMN marts.fact_allocations.referral_id IS 'The episode, where recorded (not used by the metrics: allocation is matched by child).';
COMMENT ON COLUMN marts.fact_allocations.worker_id IS 'The case-holding worker.';
COMMENT ON COLUMN marts.fact_allocations.team IS 'The allocation''s team as recorded (may be blank).';
COMMENT ON COLUMN marts.fact_allocations.team_label IS 'The team as reported in breakdowns: blank is (none).';
COMMENT ON COLUMN marts.fact_allocations.start_date IS 'The allocation start.';
COMMENT ON COLUMN marts.fact_allocations.end_date IS 'The allocation end; blank if still allocated or ended after as_at.';
COMMENT ON COLUMN marts.fact_allocations.worker_known IS 'True if the worker is in workers.csv (and started on or before as_at, or has no start date).';
COMMENT ON COLUMN marts.fact_allocations.worker_qualified IS 'True if the worker''s qualified_social_worker is Y; an unknown worker is not.';
COMMENT ON COLUMN marts.fact_allocations.worker_start_date IS 'The worker''s start (blank = in post from before the data).';
COMMENT ON COLUMN marts.fact_allocations.worker_end_date IS 'The worker''s end; blank if still in post or leaving after as_at.';
COMMENT ON COLUMN marts.fact_allocations.counts_as_allocation IS 'True if the worker was in post on the allocation''s start day; otherwise it never counts as an allocation.';
COMMENT ON COLUMN marts.fact_allocations.effective_start IS 'Start of the interval in which the allocation counts (= start_date); blank if it never counts.';
COMMENT ON COLUMN marts.fact_allocations.effective_end IS 'End (exclusive) of that interval: the earlier of end_date and the worker''s end_date; blank while it still counts at as_at.';
COMMENT ON COLUMN marts.fact_allocations.qualified_start IS 'effective_start for a qualified worker: the start of the qualified-allocation interval; blank if it is never a qualified allocation.';
COMMENT ON COLUMN marts.fact_allocations.qualified_end IS 'effective_end for a qualified worker. A qualified allocation is open at T when qualified_start <= T and (qualified_end blank or > T).';
