-- requires: staging.cp_plans
-- marts.fact_cp_plans: one row per plan as it stood on as_at. Its reviews, visits and the
-- allocation of its child at as_at are in marts.fact_cp_plan_reviews, fact_cp_plan_visits and
-- fact_cp_plan_allocations, when their extracts are present.

CREATE OR REPLACE TABLE marts.fact_cp_plans AS
WITH
run AS (
    SELECT getvariable('as_at')::DATE AS as_at
),

-- import: plans started by as_at; an end after as_at has not happened yet
plans AS (
    SELECT
        p.plan_id,
        p.child_id,
        p.referral_id,
        marts.team_label(p.team) AS team,
        p.start_date,
        CASE WHEN p.end_date <= r.as_at THEN p.end_date END AS end_date,
        p.initial_category,
        p.latest_category,
        p.number_of_previous_plans,
        r.as_at
    FROM staging.cp_plans AS p
    CROSS JOIN run AS r
    WHERE p.start_date <= r.as_at
),

-- logic: does the child have a plan with an earlier start in the data?
with_history AS (
    SELECT
        *,
        start_date > min(start_date) OVER (PARTITION BY child_id) AS has_earlier_plan_in_data
    FROM plans
)

SELECT
    plan_id,
    child_id,
    referral_id,
    team,
    start_date,
    end_date,
    initial_category,
    latest_category,
    number_of_previous_plans,
    has_earlier_plan_in_data,
    -- blank or not a number (NULL in staging) is not >= 1
    coalesce(number_of_previous_plans >= 1, false) OR has_earlier_plan_in_data
        AS second_or_subsequent,
    end_date IS NULL AS open_at_as_at,
    coalesce(end_date, as_at) - start_date AS duration_days,
    -- calendar years, clamped to month end: 2012-02-29 + 2 years = 2014-02-28
    (start_date + INTERVAL 2 YEAR)::DATE AS two_years_after_start,
    -- cp_plans_2y_plus_pct's test at as_at, literally start <= T - 2 years
    end_date IS NULL AND start_date <= (as_at - INTERVAL 2 YEAR)::DATE AS open_2y_plus_at_as_at,
    -- cp_ended_2y_plus_pct's test, literally end >= start + 2 years
    end_date IS NOT NULL AND end_date >= (start_date + INTERVAL 2 YEAR)::DATE AS ended_2y_plus
FROM with_history;

COMMENT ON TABLE marts.fact_cp_plans IS 'One row per child protection plan started on or before as_at, as it stood on as_at (an end after as_at is blank). Behind the cp_* metrics; review, visit and allocation columns are added when cp_reviews, cp_visits and allocations+workers are present.';
COMMENT ON COLUMN marts.fact_cp_plans.plan_id IS 'The plan (cp_plans.csv plan_id).';
COMMENT ON COLUMN marts.fact_cp_plans.child_id IS 'The child.';
COMMENT ON COLUMN marts.fact_cp_plans.referral_id IS 'The referral (CIN episode) as recorded.';
COMMENT ON COLUMN marts.fact_cp_plans.team IS 'The plan''s team; blank as (none). The team breakdown of the plan metrics.';
COMMENT ON COLUMN marts.fact_cp_plans.start_date IS 'Plan start date.';
COMMENT ON COLUMN marts.fact_cp_plans.end_date IS 'Plan end date; NULL while open or when dated after as_at.';
COMMENT ON COLUMN marts.fact_cp_plans.initial_category IS 'Category of abuse at the start (NEG/PHY/SAB/EMO/MUL).';
COMMENT ON COLUMN marts.fact_cp_plans.latest_category IS 'Latest category of abuse, as recorded.';
COMMENT ON COLUMN marts.fact_cp_plans.number_of_previous_plans IS 'Previous plans as recorded (includes plans before the system''s history); NULL when blank or not a number.';
COMMENT ON COLUMN marts.fact_cp_plans.has_earlier_plan_in_data IS 'True when the same child has a plan with an earlier start date in the data.';
COMMENT ON COLUMN marts.fact_cp_plans.second_or_subsequent IS 'True when number_of_previous_plans >= 1 or has_earlier_plan_in_data: the plan counts in the numerator of cp_second_or_subsequent_pct.';
COMMENT ON COLUMN marts.fact_cp_plans.open_at_as_at IS 'True when the plan has no end on or before as_at.';
COMMENT ON COLUMN marts.fact_cp_plans.duration_days IS 'Calendar days from start to end, or to as_at while open.';
COMMENT ON COLUMN marts.fact_cp_plans.two_years_after_start IS 'start_date + 2 calendar years, clamped to month end (2012-02-29 -> 2014-02-28).';
COMMENT ON COLUMN marts.fact_cp_plans.open_2y_plus_at_as_at IS 'True when open at as_at and start_date <= as_at - 2 years (cp_plans_2y_plus_pct numerator at as_at).';
COMMENT ON COLUMN marts.fact_cp_plans.ended_2y_plus IS 'True when ended on or before as_at and end_date >= start_date + 2 years (cp_ended_2y_plus_pct numerator).';
