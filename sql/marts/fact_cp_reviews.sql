-- requires: staging.cp_reviews, marts.fact_cp_plans
-- marts.fact_cp_reviews: one row per review conference held on or before as_at, of a plan in
-- marts.fact_cp_plans, with the date it was due and whether it was on time. Reviews are taken as
-- recorded (one before the plan's start is a data error reported by validation; here it simply
-- counts as a review of the plan).

CREATE OR REPLACE TABLE marts.fact_cp_reviews AS
WITH
run AS (
    SELECT getvariable('as_at')::DATE AS as_at
),

plans AS (
    SELECT plan_id, start_date FROM marts.fact_cp_plans
),

-- import: reviews held by as_at, of plans in the data
reviews AS (
    SELECT r.plan_id, r.review_date
    FROM staging.cp_reviews AS r
    CROSS JOIN run
    WHERE r.review_date <= run.as_at
),

ordered AS (
    SELECT
        r.plan_id,
        r.review_date,
        p.start_date,
        row_number() OVER (PARTITION BY r.plan_id ORDER BY r.review_date) AS review_number,
        lag(r.review_date) OVER (PARTITION BY r.plan_id ORDER BY r.review_date) AS previous_review_date
    FROM reviews AS r
    JOIN plans AS p USING (plan_id)
),

due AS (
    SELECT
        *,
        -- calendar months, clamped to month end (2011-11-30 + 3 months = 2012-02-29)
        CASE
            WHEN review_number = 1 THEN (start_date + INTERVAL 3 MONTH)::DATE
            ELSE (previous_review_date + INTERVAL 6 MONTH)::DATE
        END AS due_date
    FROM ordered
)

SELECT
    plan_id,
    review_date,
    review_number,
    previous_review_date,
    due_date,
    review_date <= due_date AS on_time,
    -- the chain is broken from the first late review on
    NOT bool_and(review_date <= due_date) OVER (
        PARTITION BY plan_id ORDER BY review_number ROWS UNBOUNDED PRECEDING
    ) AS chain_broken,
    (review_date + INTERVAL 6 MONTH)::DATE AS next_due_date
FROM due;

COMMENT ON TABLE marts.fact_cp_reviews IS 'One row per child protection review conference held on or before as_at, with the date it was due and whether it was on time.';
COMMENT ON COLUMN marts.fact_cp_reviews.plan_id IS 'The plan reviewed.';
COMMENT ON COLUMN marts.fact_cp_reviews.review_date IS 'Date the review conference was held.';
COMMENT ON COLUMN marts.fact_cp_reviews.review_number IS '1 for the plan''s first review (in date order), 2 for the next...';
COMMENT ON COLUMN marts.fact_cp_reviews.previous_review_date IS 'The plan''s previous review date; NULL for the first.';
COMMENT ON COLUMN marts.fact_cp_reviews.due_date IS 'The latest date this review was due: plan start + 3 months for the first, previous review + 6 months after (calendar months, clamped to month end).';
COMMENT ON COLUMN marts.fact_cp_reviews.on_time IS 'True when review_date <= due_date.';
COMMENT ON COLUMN marts.fact_cp_reviews.chain_broken IS 'True when this or an earlier review of the plan was late: the plan is not timely from this review on.';
COMMENT ON COLUMN marts.fact_cp_reviews.next_due_date IS 'review_date + 6 months: when the next review is due.';
