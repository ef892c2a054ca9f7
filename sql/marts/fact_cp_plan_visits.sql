-- requires: marts.fact_cp_plans, marts.fact_cp_visit_segments
-- marts.fact_cp_plan_visits: the latest statutory visit of each plan at as_at (one row per row of
-- marts.fact_cp_plans, joined on plan_id). Only when cp_visits.csv is present.

CREATE OR REPLACE TABLE marts.fact_cp_plan_visits AS
SELECT
    p.plan_id,
    CAST(coalesce(s.visits_so_far, 0) AS INTEGER) AS visits_to_as_at,
    s.seg_from AS latest_visit_date,
    s.seen_alone AS latest_visit_seen_alone
FROM marts.fact_cp_plans AS p
LEFT JOIN marts.fact_cp_visit_segments AS s
    ON s.plan_id = p.plan_id AND s.seg_to = DATE '9999-12-31'
ORDER BY p.plan_id;

COMMENT ON TABLE marts.fact_cp_plan_visits IS 'The latest statutory visit at as_at of each plan in marts.fact_cp_plans (join on plan_id). Present only when cp_visits.csv is.';
COMMENT ON COLUMN marts.fact_cp_plan_visits.plan_id IS 'The plan.';
COMMENT ON COLUMN marts.fact_cp_plan_visits.visits_to_as_at IS 'Statutory visits of the plan dated on or before as_at (cp_visits.csv present only).';
COMMENT ON COLUMN marts.fact_cp_plan_visits.latest_visit_date IS 'The latest visit on or before as_at; NULL if none.';
COMMENT ON COLUMN marts.fact_cp_plan_visits.latest_visit_seen_alone IS 'True when a visit on latest_visit_date saw the child alone (cp_seen_alone_pct numerator at as_at, for an open plan).';
