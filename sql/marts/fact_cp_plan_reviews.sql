-- requires: marts.fact_cp_plans, marts.fact_cp_reviews, marts.fact_cp_review_segments
-- marts.fact_cp_plan_reviews: the review status of each plan at as_at (one row per row of
-- marts.fact_cp_plans, joined on plan_id). Only when cp_reviews.csv is present: without it a
-- plan cannot be told from a plan with no reviews (absent is not zero).

CREATE OR REPLACE TABLE marts.fact_cp_plan_reviews AS
WITH
run AS (
    SELECT getvariable('as_at')::DATE AS as_at
),

counts AS (
    SELECT plan_id, count(*) AS reviews_to_as_at FROM marts.fact_cp_reviews GROUP BY plan_id
),

status AS (
    SELECT
        p.plan_id,
        coalesce(c.reviews_to_as_at, 0) AS reviews_to_as_at,
        s.last_review_date,
        -- a closed plan has no review due
        CASE WHEN p.open_at_as_at THEN s.review_due END AS next_review_due,
        p.open_at_as_at AND p.start_date <= (run.as_at - INTERVAL 3 MONTH)::DATE AS measured,
        s.seg_from IS NOT NULL AND NOT s.chain_broken AND run.as_at <= s.review_due AS timely
    FROM marts.fact_cp_plans AS p
    CROSS JOIN run
    LEFT JOIN counts AS c USING (plan_id)
    LEFT JOIN marts.fact_cp_review_segments AS s
        ON s.plan_id = p.plan_id AND s.seg_from <= run.as_at AND s.seg_to > run.as_at
)

SELECT
    plan_id,
    CAST(reviews_to_as_at AS INTEGER) AS reviews_to_as_at,
    last_review_date,
    next_review_due,
    measured AS review_measured_at_as_at,
    CASE WHEN measured THEN timely END AS reviews_timely_at_as_at
FROM status
ORDER BY plan_id;

COMMENT ON TABLE marts.fact_cp_plan_reviews IS 'The review status at as_at of each plan in marts.fact_cp_plans (join on plan_id). Present only when cp_reviews.csv is.';
COMMENT ON COLUMN marts.fact_cp_plan_reviews.plan_id IS 'The plan.';
COMMENT ON COLUMN marts.fact_cp_plan_reviews.reviews_to_as_at IS 'Review conferences of the plan held on or before as_at (cp_reviews.csv present only).';
COMMENT ON COLUMN marts.fact_cp_plan_reviews.last_review_date IS 'The latest review on or before as_at; NULL if none.';
COMMENT ON COLUMN marts.fact_cp_plan_reviews.next_review_due IS 'At as_at, for an open plan, the date the next review is due: start + 3 months before the first review, last review + 6 months after. NULL for an ended plan.';
COMMENT ON COLUMN marts.fact_cp_plan_reviews.review_measured_at_as_at IS 'True when the plan is in the cp_reviews_timely_pct denominator at as_at: open and started on or before as_at - 3 months.';
COMMENT ON COLUMN marts.fact_cp_plan_reviews.reviews_timely_at_as_at IS 'For measured plans: every review so far on time and as_at <= next_review_due (cp_reviews_timely_pct numerator at as_at). NULL when not measured.';
