-- requires: marts.fact_assessments, marts.periods, marts.period_days, ref.calendar
-- marts.metrics_assessments: assessments_completed, the INITIAL/CORE/SINGLE timely percentages
-- and median working days, assessments_open, assessment_backlog, assessment_child_seen_pct and
-- assessment_seen_alone_pct; for all and by team (of the assessment).

CREATE OR REPLACE TABLE marts.metrics_assessments AS
WITH
-- Event measures: each assessment in the month and financial year of its completion; in the
-- timeliness measures unless completed before it started (a data error).
completed AS (
    SELECT
        pd.period_type, pd.period_label, a.*, marts.by_team(a.team_label) AS under,
        NOT a.completed_before_start AS timed
    FROM marts.fact_assessments AS a
    INNER JOIN marts.period_days AS pd ON pd.date = a.completed_date
),

-- Snapshot at period_end: open (started on or before it, not completed on or before it), and
-- backlog when wd(start, period_end) > the type's limit.
open_at_end AS (
    SELECT
        p.period_type, p.period_label, marts.by_team(a.team_label) AS under,
        coalesce(ce.wd_index - a.start_wd_index > a.limit_wd, false) AS past_limit
    FROM marts.fact_assessments AS a
    INNER JOIN marts.periods AS p
        ON a.start_date <= p.period_end
        AND coalesce(a.completed_date, DATE '9999-12-31') > p.period_end
    LEFT JOIN ref.calendar AS ce ON ce.date = p.period_end
),

cases AS (
    SELECT
        'assessments_completed' AS metric_id, period_type, period_label, under,
        1 AS n, NULL AS d, NULL AS x
    FROM completed
    UNION ALL
    SELECT
        'assessment_child_seen_pct', period_type, period_label, under, child_seen::INT, 1, NULL
    FROM completed
    UNION ALL
    SELECT
        'assessment_seen_alone_pct', period_type, period_label, under,
        child_seen_alone::INT, 1, NULL
    FROM completed
    UNION ALL
    -- timeliness and duration, per type: initial_/core_/single_assessment_timely_pct, _median_wd
    SELECT
        lower(assessment_type) || '_assessment_timely_pct', period_type, period_label, under,
        on_time::INT, 1, NULL
    FROM completed
    WHERE timed
    UNION ALL
    SELECT
        lower(assessment_type) || '_assessment_median_wd', period_type, period_label, under,
        NULL, NULL, completion_wd
    FROM completed
    WHERE timed
    UNION ALL
    SELECT 'assessments_open', period_type, period_label, under, 1, NULL, NULL
    FROM open_at_end
    UNION ALL
    SELECT 'assessment_backlog', period_type, period_label, under, 1, NULL, NULL
    FROM open_at_end
    WHERE past_limit
),

breakdowns AS (
    SELECT marts.by_team(team_label) AS under FROM marts.fact_assessments
)

SELECT * FROM marts.metric_family(cases, breakdowns, [
    {'metric_id': 'assessments_completed', 'kind': 'count'},
    {'metric_id': 'initial_assessment_timely_pct', 'kind': 'pct'},
    {'metric_id': 'core_assessment_timely_pct', 'kind': 'pct'},
    {'metric_id': 'single_assessment_timely_pct', 'kind': 'pct'},
    {'metric_id': 'initial_assessment_median_wd', 'kind': 'median'},
    {'metric_id': 'core_assessment_median_wd', 'kind': 'median'},
    {'metric_id': 'single_assessment_median_wd', 'kind': 'median'},
    {'metric_id': 'assessments_open', 'kind': 'count'},
    {'metric_id': 'assessment_backlog', 'kind': 'count'},
    {'metric_id': 'assessment_child_seen_pct', 'kind': 'pct'},
    {'metric_id': 'assessment_seen_alone_pct', 'kind': 'pct'}
]);

COMMENT ON TABLE marts.metrics_assessments IS 'The assessment family in metric_values shape: assessments_completed, initial/core/single_assessment_timely_pct and _median_wd, assessments_open, assessment_backlog, assessment_child_seen_pct, assessment_seen_alone_pct; for all and by team (of the assessment).';
