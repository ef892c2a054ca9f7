-- requires: marts.fact_cp_plans, marts.fact_cp_review_segments, marts.periods
--
-- Timeliness of child protection review conferences (docs/metrics.md: cp_reviews_timely_pct).
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

CREATE OR REPLACE TABLE marts.metrics_cp_reviews AS
WITH
periods AS (
    SELECT period_type, period_label, period_start, period_end FROM marts.periods
),

plans AS (
    SELECT plan_id, team, start_date, end_date FROM marts.fact_cp_plans
),

segments AS (
    SELECT * FROM marts.fact_cp_review_segments
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
