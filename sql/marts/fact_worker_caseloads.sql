-- requires: marts.fact_workers, marts.fact_allocations
-- marts.fact_worker_caseloads: the children whose case each worker holds at as_at as a qualified
-- allocation (one row per row of marts.fact_workers, joined on worker_id). Only when
-- allocations.csv is present.

CREATE OR REPLACE TABLE marts.fact_worker_caseloads AS
SELECT
    w.worker_id,
    CAST(count(DISTINCT a.child_id) AS INTEGER) AS caseload_at_as_at
FROM marts.fact_workers AS w
LEFT JOIN marts.fact_allocations AS a
    ON a.worker_id = w.worker_id
    AND a.qualified_start <= getvariable('as_at')
    AND coalesce(a.qualified_end, DATE '9999-12-31') > getvariable('as_at')
GROUP BY w.worker_id
ORDER BY w.worker_id;

COMMENT ON TABLE marts.fact_worker_caseloads IS 'The caseload at as_at of each worker in marts.fact_workers (join on worker_id). Present only when allocations.csv is.';
COMMENT ON COLUMN marts.fact_worker_caseloads.worker_id IS 'The worker.';
COMMENT ON COLUMN marts.fact_worker_caseloads.caseload_at_as_at IS 'Distinct children whose case the worker holds at as_at as a qualified allocation (0 for an unqualified worker or one not in post). Present only when allocations.csv is.';
