-- requires: marts.fact_assessments, staging.cin_plans, staging.cp_plans, marts.period_days, marts.periods
-- requires: ref.calendar
--
-- A plan soon after an assessment that found a need (docs/metrics.md v5:
-- assessment_plan_10wd_pct). Why: the 2013 letter found that "when they do get a social worker
-- there is not always a clear plan". Needs cin_plans.csv and cp_plans.csv.
-- Assessments completed in the period with further_action = Y; numerator those whose child has
-- a child in need or child protection plan open on the completed date (started on or before it,
-- not ended on or before it), or one starting on or after it with wd(completed_date, start) <=
-- 10. An assessment with no such plan yet whose window is still running (wd(completed_date,
-- as_at) < 10) is left out. As at: a plan starting after as_at has not happened; an end after it
-- is blank. Breakdown: the assessment's team.

CREATE OR REPLACE TABLE marts.metrics_assessment_plans AS
WITH
plans AS (
    SELECT
        child_id, start_date,
        CASE WHEN end_date <= getvariable('as_at') THEN end_date END AS end_date
    FROM staging.cin_plans
    WHERE start_date <= getvariable('as_at')
    UNION ALL
    SELECT
        child_id, start_date,
        CASE WHEN end_date <= getvariable('as_at') THEN end_date END AS end_date
    FROM staging.cp_plans
    WHERE start_date <= getvariable('as_at')
),

assessed AS (
    SELECT a.assessment_id, a.child_id, a.completed_date, a.team_label, cc.wd_index AS done_wd
    FROM marts.fact_assessments AS a
    LEFT JOIN ref.calendar AS cc ON cc.date = a.completed_date
    WHERE marts.is_y(a.further_action) AND a.completed_date IS NOT NULL
),

planned AS (
    SELECT DISTINCT a.assessment_id
    FROM assessed AS a
    JOIN plans AS p ON p.child_id = a.child_id
    LEFT JOIN ref.calendar AS cs ON cs.date = p.start_date
    WHERE (
        p.start_date <= a.completed_date
        AND coalesce(p.end_date, DATE '9999-12-31') > a.completed_date
    ) OR (p.start_date >= a.completed_date AND cs.wd_index - a.done_wd <= 10)
),

judged AS (
    SELECT
        a.*, pl.assessment_id IS NOT NULL AS planned,
        (SELECT wd_index FROM ref.calendar WHERE date = getvariable('as_at')) - a.done_wd
            AS waited_wd
    FROM assessed AS a
    LEFT JOIN planned AS pl USING (assessment_id)
),

cases AS (
    SELECT
        'assessment_plan_10wd_pct' AS metric_id, p.period_type, p.period_label,
        marts.by_team(j.team_label) AS under, j.planned::INT AS n, 1 AS d, NULL AS x
    FROM judged AS j
    JOIN marts.period_days AS p ON p.date = j.completed_date
    WHERE j.planned OR NOT coalesce(j.waited_wd < 10, false)
),

breakdowns AS (
    SELECT marts.by_team(team_label) AS under FROM marts.fact_assessments
)

SELECT * FROM marts.metric_family(
    cases, breakdowns, [{'metric_id': 'assessment_plan_10wd_pct', 'kind': 'pct'}]
);

COMMENT ON TABLE marts.metrics_assessment_plans IS 'assessment_plan_10wd_pct for marts.metric_values, by period of completion and assessment team (only when cin_plans.csv and cp_plans.csv are present).';
