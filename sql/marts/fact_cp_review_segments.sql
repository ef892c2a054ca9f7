-- requires: marts.fact_cp_plans, marts.fact_cp_reviews
-- marts.fact_cp_review_segments: each plan's life cut into segments [seg_from, seg_to) between
-- its reviews, each with the date the next review is due and whether the chain of reviews was
-- already broken: a date T in the plan falls in exactly one segment, which says whether the plan
-- is timely at T (cp_reviews_timely_pct).

CREATE OR REPLACE TABLE marts.fact_cp_review_segments AS
WITH
plans AS (
    SELECT plan_id, start_date FROM marts.fact_cp_plans
),

reviews AS (
    SELECT
        plan_id, review_date, review_number, chain_broken, next_due_date,
        lead(review_date) OVER (PARTITION BY plan_id ORDER BY review_number) AS next_review_date
    FROM marts.fact_cp_reviews
),

first_review AS (
    SELECT plan_id, review_date AS first_review_date FROM marts.fact_cp_reviews WHERE review_number = 1
)

-- before the first review: the first review is due start + 3 months
SELECT
    p.plan_id,
    p.start_date AS seg_from,
    coalesce(f.first_review_date, DATE '9999-12-31') AS seg_to,
    (p.start_date + INTERVAL 3 MONTH)::DATE AS review_due,
    false AS chain_broken,
    CAST(NULL AS DATE) AS last_review_date
FROM plans AS p
LEFT JOIN first_review AS f USING (plan_id)
UNION ALL
-- from each review to the next: the next is due 6 months after it
SELECT
    plan_id,
    review_date,
    coalesce(next_review_date, DATE '9999-12-31'),
    next_due_date,
    chain_broken,
    review_date
FROM reviews
ORDER BY plan_id, seg_from;

COMMENT ON TABLE marts.fact_cp_review_segments IS 'Each child protection plan''s time cut into segments between review conferences (held on or before as_at): at a date T in [seg_from, seg_to) the next review is due by review_due, and the plan is timely at T when the chain is not broken and T <= review_due.';
COMMENT ON COLUMN marts.fact_cp_review_segments.plan_id IS 'The plan.';
COMMENT ON COLUMN marts.fact_cp_review_segments.seg_from IS 'First day of the segment: the plan start, or a review date.';
COMMENT ON COLUMN marts.fact_cp_review_segments.seg_to IS 'The next review date (exclusive), or 9999-12-31 after the last review.';
COMMENT ON COLUMN marts.fact_cp_review_segments.review_due IS 'The date the next review is due in this segment: start + 3 months before the first review, the last review + 6 months after (calendar months, clamped to month end).';
COMMENT ON COLUMN marts.fact_cp_review_segments.chain_broken IS 'True when a review before this segment was late: the plan is not timely from then on.';
COMMENT ON COLUMN marts.fact_cp_review_segments.last_review_date IS 'The review that opened the segment; NULL before the first review.';
