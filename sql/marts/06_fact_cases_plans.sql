-- requires: staging.cp_plans, staging.referrals
-- Adds child protection plans to marts.fact_case_intervals (unallocated_open_cases counts a
-- child with a plan open at T "where cp_plans.csv is present"), as at as_at: a plan starting
-- after as_at is ignored, an end after as_at is blank.

INSERT INTO marts.fact_case_intervals
SELECT
    child_id,
    'plan' AS source,
    plan_id AS source_key,
    start_date,
    CASE WHEN end_date <= getvariable('as_at') THEN end_date END AS end_date,
    team,
    marts.team_label(team) AS team_label
FROM staging.cp_plans
WHERE start_date <= getvariable('as_at');
