-- requires: staging.cp_visits, marts.fact_cp_plans
-- marts.fact_cp_visit_segments: each plan's statutory visit dates as segments [seg_from, seg_to)
-- from one visit date to the next, carrying whether the child was seen alone that day (several
-- visits on one date: any seen alone; blank = not alone). A date T falls in at most one
-- segment: the plan's latest visit on or before T (cp_seen_alone_pct). Visits after as_at have
-- not happened; visits are taken as recorded, even one dated before the plan's start.

CREATE OR REPLACE TABLE marts.fact_cp_visit_segments AS
WITH
run AS (
    SELECT getvariable('as_at')::DATE AS as_at
),

-- import: visits by as_at, of plans in the data
visits AS (
    SELECT v.plan_id, v.visit_date, coalesce(v.seen_alone, false) AS seen_alone
    FROM staging.cp_visits AS v
    CROSS JOIN run
    WHERE v.visit_date <= run.as_at
        AND v.plan_id IN (SELECT plan_id FROM marts.fact_cp_plans)
),

-- one row per plan and visit date: any visit that day seen alone
visit_days AS (
    SELECT plan_id, visit_date, bool_or(seen_alone) AS seen_alone, count(*) AS visits
    FROM visits
    GROUP BY plan_id, visit_date
)

SELECT
    plan_id,
    visit_date AS seg_from,
    coalesce(
        lead(visit_date) OVER (PARTITION BY plan_id ORDER BY visit_date), DATE '9999-12-31'
    ) AS seg_to,
    seen_alone,
    sum(visits) OVER (PARTITION BY plan_id ORDER BY visit_date) AS visits_so_far
FROM visit_days
ORDER BY plan_id, seg_from;

COMMENT ON TABLE marts.fact_cp_visit_segments IS 'One row per child protection plan and visit date (on or before as_at): from that date to the next visit date, the latest visit is this one.';
COMMENT ON COLUMN marts.fact_cp_visit_segments.plan_id IS 'The plan visited.';
COMMENT ON COLUMN marts.fact_cp_visit_segments.seg_from IS 'The visit date.';
COMMENT ON COLUMN marts.fact_cp_visit_segments.seg_to IS 'The next visit date (exclusive), or 9999-12-31 after the last visit.';
COMMENT ON COLUMN marts.fact_cp_visit_segments.seen_alone IS 'True when a visit on seg_from saw the child alone.';
COMMENT ON COLUMN marts.fact_cp_visit_segments.visits_so_far IS 'Visits of the plan up to and including seg_from.';
