-- requires: marts.fact_referrals
-- marts.fact_case_intervals: the intervals in which a child is an open case needing a qualified
-- allocation (unallocated_open_cases): each merged referral that is not NFA, from its referral
-- date to its closure, and, where cp_plans.csv is present, each child protection plan.

CREATE OR REPLACE TABLE marts.fact_case_intervals AS
WITH

referrals AS (
    SELECT * FROM marts.fact_referrals
),

referral_cases AS (
    SELECT
        child_id,
        'referral' AS source,
        referral_key AS source_key,
        referral_date AS start_date,
        closure_date AS end_date,
        team,
        team_label
    FROM referrals
    WHERE NOT nfa
    ORDER BY start_date, child_id
)

SELECT * FROM referral_cases
-- if present: staging.cp_plans
-- Plans as at as_at: a plan starting after as_at is ignored, an end after as_at is blank.
UNION ALL
SELECT
    child_id,
    'plan' AS source,
    plan_id AS source_key,
    start_date,
    CASE WHEN end_date <= getvariable('as_at') THEN end_date END AS end_date,
    team,
    marts.team_label(team) AS team_label
FROM staging.cp_plans
WHERE start_date <= getvariable('as_at')
-- end if
;

COMMENT ON TABLE marts.fact_case_intervals IS 'Intervals in which a child is an open case (unallocated_open_cases): merged referrals that are not NFA and, where cp_plans.csv is present, child protection plans; as at as_at. Open at T: start_date <= T and (end_date blank or > T).';
COMMENT ON COLUMN marts.fact_case_intervals.child_id IS 'The child.';
COMMENT ON COLUMN marts.fact_case_intervals.source IS 'referral or plan.';
COMMENT ON COLUMN marts.fact_case_intervals.source_key IS 'marts.fact_referrals.referral_key, or the plan_id.';
COMMENT ON COLUMN marts.fact_case_intervals.start_date IS 'Referral date or plan start.';
COMMENT ON COLUMN marts.fact_case_intervals.end_date IS 'Closure date or plan end; blank if open at as_at (an end after as_at is blank).';
COMMENT ON COLUMN marts.fact_case_intervals.team IS 'The referral''s or plan''s team as recorded.';
COMMENT ON COLUMN marts.fact_case_intervals.team_label IS 'The team as reported in breakdowns: blank is (none).';
