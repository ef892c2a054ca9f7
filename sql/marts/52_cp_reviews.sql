-- requires: staging.cp_plans, staging.cp_reviews
--
-- Timeliness of child protection review conferences (spec/metrics.md: cp_reviews_timely_pct).
-- Why: Working Together sets the first review within 3 months of the plan's start and each later
-- one within 6 months of the last; the 2013 letter found plans and reviews drifting.
-- Only written when cp_reviews.csv is present: without it a plan cannot be told from a plan
-- with no reviews (absent is not zero). With it, a plan with no review row has had none.
-- Snapshot at each period end T, over plans open at T that started on or before T - 3 months:
-- timely when, taking the plan's reviews dated on or before T in date order, the first is
-- <= start + 3 months, each later one <= the previous + 6 months, and T <= (the last review, or
-- the start if none) + the limit then due (3 months before the first review, 6 after).
-- Set-based: each plan's time is cut into segments between reviews, each with the date the next
-- review is due and whether the chain was already broken; T falls in exactly one segment.
-- Breakdown: the plan's team. Reviews are taken as recorded (one before the plan's start is a
-- data error reported by validation; here it simply counts as a review of the plan).

-- One row per review (as at as_at) with its due date and whether it was on time.
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

-- Segments of each plan's life: [seg_from, seg_to) between reviews, with the review then due.
CREATE OR REPLACE TEMP TABLE cp_review_segments AS
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
FROM reviews;

-- Review status of each plan at as_at, added to the plan fact.
ALTER TABLE marts.fact_cp_plans ADD COLUMN IF NOT EXISTS reviews_to_as_at INTEGER;
ALTER TABLE marts.fact_cp_plans ADD COLUMN IF NOT EXISTS last_review_date DATE;
ALTER TABLE marts.fact_cp_plans ADD COLUMN IF NOT EXISTS next_review_due DATE;
ALTER TABLE marts.fact_cp_plans ADD COLUMN IF NOT EXISTS review_measured_at_as_at BOOLEAN;
ALTER TABLE marts.fact_cp_plans ADD COLUMN IF NOT EXISTS reviews_timely_at_as_at BOOLEAN;

-- The new values are materialised in a temp table first: DuckDB 2.0 ran this UPDATE fed
-- straight from the joining subquery some 20 times slower (0.45 s for 21 k plans at 1M
-- children) than fed from a table.
CREATE OR REPLACE TEMP TABLE plan_review_status AS
WITH
run AS (
    SELECT getvariable('as_at')::DATE AS as_at
),

counts AS (
    SELECT plan_id, count(*) AS reviews_to_as_at FROM marts.fact_cp_reviews GROUP BY plan_id
)

SELECT
    p.plan_id,
    coalesce(c.reviews_to_as_at, 0) AS reviews_to_as_at,
    s.last_review_date,
    -- a closed plan has no review due
    CASE WHEN p.open_at_as_at THEN s.review_due END AS review_due,
    p.open_at_as_at AND p.start_date <= (run.as_at - INTERVAL 3 MONTH)::DATE AS measured,
    s.seg_from IS NOT NULL AND NOT s.chain_broken AND run.as_at <= s.review_due AS timely
FROM marts.fact_cp_plans AS p
CROSS JOIN run
LEFT JOIN counts AS c USING (plan_id)
LEFT JOIN cp_review_segments AS s
    ON s.plan_id = p.plan_id AND s.seg_from <= run.as_at AND s.seg_to > run.as_at;

UPDATE marts.fact_cp_plans AS f
SET
    reviews_to_as_at = s.reviews_to_as_at,
    last_review_date = s.last_review_date,
    next_review_due = s.review_due,
    review_measured_at_as_at = s.measured,
    reviews_timely_at_as_at = CASE WHEN s.measured THEN s.timely END
FROM plan_review_status AS s
WHERE f.plan_id = s.plan_id;

DROP TABLE plan_review_status;

COMMENT ON COLUMN marts.fact_cp_plans.reviews_to_as_at IS 'Review conferences of the plan held on or before as_at (cp_reviews.csv present only).';
COMMENT ON COLUMN marts.fact_cp_plans.last_review_date IS 'The latest review on or before as_at; NULL if none.';
COMMENT ON COLUMN marts.fact_cp_plans.next_review_due IS 'At as_at, for an open plan, the date the next review is due: start + 3 months before the first review, last review + 6 months after. NULL for an ended plan.';
COMMENT ON COLUMN marts.fact_cp_plans.review_measured_at_as_at IS 'True when the plan is in the cp_reviews_timely_pct denominator at as_at: open and started on or before as_at - 3 months.';
COMMENT ON COLUMN marts.fact_cp_plans.reviews_timely_at_as_at IS 'For measured plans: every review so far on time and as_at <= next_review_due (cp_reviews_timely_pct numerator at as_at). NULL when not measured.';

CREATE OR REPLACE TABLE marts.metrics_cp_reviews AS
WITH
periods AS (
    SELECT period_type, period_label, period_start, period_end FROM marts.periods
),

plans AS (
    SELECT plan_id, team, start_date, end_date FROM marts.fact_cp_plans
),

segments AS (
    SELECT * FROM cp_review_segments
),

-- the denominator: plans open at T that started on or before T - 3 months
measured AS (
    SELECT p.period_type, p.period_label, p.period_end, c.plan_id, c.team
    FROM plans AS c
    JOIN periods AS p
        ON c.start_date <= (p.period_end - INTERVAL 3 MONTH)::DATE
        AND coalesce(c.end_date, DATE '9999-12-31') > p.period_end
),

-- the segment T falls in says whether the chain holds and when the next review is due
judged AS (
    SELECT
        m.*,
        coalesce(NOT s.chain_broken AND m.period_end <= s.review_due, false) AS timely
    FROM measured AS m
    LEFT JOIN segments AS s
        ON s.plan_id = m.plan_id AND s.seg_from <= m.period_end AND s.seg_to > m.period_end
),

judged_bd AS (
    SELECT period_type, period_label, 'all' AS breakdown, 'ALL' AS breakdown_value, timely FROM judged
    UNION ALL
    SELECT period_type, period_label, 'team', team, timely FROM judged
),

counts AS (
    SELECT
        period_type, period_label, breakdown, breakdown_value,
        count(*) FILTER (WHERE timely) AS num,
        count(*) AS den
    FROM judged_bd
    GROUP BY ALL
),

breakdowns AS (
    SELECT 'all' AS breakdown, 'ALL' AS breakdown_value
    UNION
    SELECT DISTINCT 'team', team FROM plans
)

SELECT
    'cp_reviews_timely_pct' AS metric_id,
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

COMMENT ON TABLE marts.metrics_cp_reviews IS 'cp_reviews_timely_pct for marts.metric_values, by period and plan team (only when cp_reviews.csv is present).';

DROP TABLE cp_review_segments;
