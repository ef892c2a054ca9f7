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
-- the denominator: plans open at T that started on or before T - 3 months
measured AS (
    SELECT p.period_type, p.period_label, p.period_end, c.plan_id, c.team
    FROM marts.fact_cp_plans AS c
    JOIN marts.periods AS p
        ON c.start_date <= (p.period_end - INTERVAL 3 MONTH)::DATE
        AND coalesce(c.end_date, DATE '9999-12-31') > p.period_end
),

-- the segment T falls in says whether the chain holds and when the next review is due
cases AS (
    SELECT
        'cp_reviews_timely_pct' AS metric_id, m.period_type, m.period_label,
        marts.by_team(m.team) AS under,
        coalesce(NOT s.chain_broken AND m.period_end <= s.review_due, false)::INT AS n,
        1 AS d, NULL AS x
    FROM measured AS m
    LEFT JOIN marts.fact_cp_review_segments AS s
        ON s.plan_id = m.plan_id AND s.seg_from <= m.period_end AND s.seg_to > m.period_end
),

breakdowns AS (
    SELECT marts.by_team(team) AS under FROM marts.fact_cp_plans
)

SELECT * FROM marts.metric_family(
    cases, breakdowns, [{'metric_id': 'cp_reviews_timely_pct', 'kind': 'pct'}]
);

COMMENT ON TABLE marts.metrics_cp_reviews IS 'cp_reviews_timely_pct for marts.metric_values, by period and plan team (only when cp_reviews.csv is present).';
