-- requires: marts.fact_assessments, marts.periods, marts.period_days, ref.calendar
-- marts.metrics_assessments: assessments_completed, the INITIAL/CORE/SINGLE timely percentages
-- and median working days, assessments_open, assessment_backlog, assessment_child_seen_pct and
-- assessment_seen_alone_pct; for all and by team (of the assessment). Same pattern as
-- metrics_contacts.sql.

CREATE OR REPLACE TABLE marts.metrics_assessments AS
WITH

periods AS (
    SELECT period_type, period_label, period_start, period_end FROM marts.periods
),

period_days AS (
    SELECT date, period_type, period_label FROM marts.period_days
),

calendar AS (
    SELECT date, wd_index FROM ref.calendar
),

assessments AS (
    SELECT * FROM marts.fact_assessments
),

-- Event measures: each assessment in the month and financial year of its completion.
completed AS (
    SELECT
        pd.period_type, pd.period_label, a.*,
        -- In the timeliness measures unless completed before it started (a data error).
        NOT a.completed_before_start AS timed
    FROM assessments AS a
    INNER JOIN period_days AS pd ON pd.date = a.completed_date
),

-- Snapshot at period_end: open (started on or before it, not completed on or before it), and
-- backlog when wd(start, period_end) > the type's limit.
open_at_end AS (
    SELECT
        p.period_type, p.period_label, a.*,
        coalesce(ce.wd_index - a.start_wd_index > a.limit_wd, false) AS past_limit
    FROM assessments AS a
    INNER JOIN periods AS p
        ON a.start_date <= p.period_end
        AND coalesce(a.completed_date, DATE '9999-12-31') > p.period_end
    LEFT JOIN calendar AS ce ON ce.date = p.period_end
),

completed_by_breakdown AS (
    SELECT *, 'all' AS breakdown, 'ALL' AS breakdown_value FROM completed
    UNION ALL
    SELECT *, 'team', team_label FROM completed
),

open_by_breakdown AS (
    SELECT *, 'all' AS breakdown, 'ALL' AS breakdown_value FROM open_at_end
    UNION ALL
    SELECT *, 'team', team_label FROM open_at_end
),

completed_counts AS (
    SELECT
        period_type, period_label, breakdown, breakdown_value,
        count(*) AS completed,
        count(*) FILTER (WHERE child_seen) AS seen,
        count(*) FILTER (WHERE child_seen_alone) AS seen_alone,
        count(*) FILTER (WHERE timed AND assessment_type = 'INITIAL') AS initial_n,
        count(*) FILTER (WHERE timed AND assessment_type = 'INITIAL' AND on_time) AS initial_on_time,
        median(completion_wd) FILTER (WHERE timed AND assessment_type = 'INITIAL') AS initial_median,
        count(*) FILTER (WHERE timed AND assessment_type = 'CORE') AS core_n,
        count(*) FILTER (WHERE timed AND assessment_type = 'CORE' AND on_time) AS core_on_time,
        median(completion_wd) FILTER (WHERE timed AND assessment_type = 'CORE') AS core_median,
        count(*) FILTER (WHERE timed AND assessment_type = 'SINGLE') AS single_n,
        count(*) FILTER (WHERE timed AND assessment_type = 'SINGLE' AND on_time) AS single_on_time,
        median(completion_wd) FILTER (WHERE timed AND assessment_type = 'SINGLE') AS single_median
    FROM completed_by_breakdown
    GROUP BY ALL
),

open_counts AS (
    SELECT
        period_type, period_label, breakdown, breakdown_value,
        count(*) AS open,
        count(*) FILTER (WHERE past_limit) AS backlog
    FROM open_by_breakdown
    GROUP BY ALL
),

spine AS (
    SELECT p.*, b.breakdown, b.breakdown_value
    FROM periods AS p
    CROSS JOIN (
        SELECT 'all' AS breakdown, 'ALL' AS breakdown_value
        UNION
        SELECT DISTINCT 'team', team_label FROM assessments
    ) AS b
),

measures AS (
    SELECT
        s.*,
        coalesce(c.completed, 0) AS completed,
        coalesce(c.seen, 0) AS seen,
        coalesce(c.seen_alone, 0) AS seen_alone,
        coalesce(c.initial_n, 0) AS initial_n,
        coalesce(c.initial_on_time, 0) AS initial_on_time,
        c.initial_median,
        coalesce(c.core_n, 0) AS core_n,
        coalesce(c.core_on_time, 0) AS core_on_time,
        c.core_median,
        coalesce(c.single_n, 0) AS single_n,
        coalesce(c.single_on_time, 0) AS single_on_time,
        c.single_median,
        coalesce(o.open, 0) AS open,
        coalesce(o.backlog, 0) AS backlog
    FROM spine AS s
    LEFT JOIN completed_counts AS c USING (period_type, period_label, breakdown, breakdown_value)
    LEFT JOIN open_counts AS o USING (period_type, period_label, breakdown, breakdown_value)
),

-- One row per period, breakdown and metric: (metric_id, numerator, denominator, value).
long AS (
    SELECT
        m.period_type, m.period_label, m.period_start, m.period_end,
        m.breakdown, m.breakdown_value,
        unnest([
            {'metric_id': 'assessments_completed', 'numerator': m.completed::DOUBLE, 'denominator': NULL::DOUBLE, 'value': m.completed::DOUBLE},
            {'metric_id': 'initial_assessment_timely_pct', 'numerator': m.initial_on_time, 'denominator': m.initial_n, 'value': marts.pct(m.initial_on_time, m.initial_n)},
            {'metric_id': 'core_assessment_timely_pct', 'numerator': m.core_on_time, 'denominator': m.core_n, 'value': marts.pct(m.core_on_time, m.core_n)},
            {'metric_id': 'single_assessment_timely_pct', 'numerator': m.single_on_time, 'denominator': m.single_n, 'value': marts.pct(m.single_on_time, m.single_n)},
            {'metric_id': 'initial_assessment_median_wd', 'numerator': NULL, 'denominator': NULL, 'value': m.initial_median},
            {'metric_id': 'core_assessment_median_wd', 'numerator': NULL, 'denominator': NULL, 'value': m.core_median},
            {'metric_id': 'single_assessment_median_wd', 'numerator': NULL, 'denominator': NULL, 'value': m.single_median},
            {'metric_id': 'assessments_open', 'numerator': m.open, 'denominator': NULL, 'value': m.open},
            {'metric_id': 'assessment_backlog', 'numerator': m.backlog, 'denominator': NULL, 'value': m.backlog},
            {'metric_id': 'assessment_child_seen_pct', 'numerator': m.seen, 'denominator': m.completed, 'value': marts.pct(m.seen, m.completed)},
            {'metric_id': 'assessment_seen_alone_pct', 'numerator': m.seen_alone, 'denominator': m.completed, 'value': marts.pct(m.seen_alone, m.completed)}
        ], recursive := true)
    FROM measures AS m
)

SELECT
    metric_id,
    period_type, period_label, period_start, period_end, breakdown, breakdown_value,
    CAST(numerator AS DOUBLE) AS numerator,
    CAST(denominator AS DOUBLE) AS denominator,
    CAST(value AS DOUBLE) AS value
FROM long;

COMMENT ON TABLE marts.metrics_assessments IS 'The assessment family in metric_values shape: assessments_completed, initial/core/single_assessment_timely_pct and _median_wd, assessments_open, assessment_backlog, assessment_child_seen_pct, assessment_seen_alone_pct; for all and by team (of the assessment).';
