-- requires: staging.assessments, ref.calendar, marts.wd_last_date
-- marts.fact_assessments: one row per assessment started on or before as_at, as it stood on
-- as_at (a completion after as_at is blank), with its working days, limit, due date, on-time
-- flag and open/backlog status at as_at.

CREATE OR REPLACE TABLE marts.fact_assessments AS
WITH

assessments AS (
    SELECT * FROM staging.assessments
),

calendar AS (
    SELECT date, wd_index FROM ref.calendar
),

wd_last_date AS (
    SELECT wd_index, last_date FROM marts.wd_last_date
),

as_at_assessments AS (
    SELECT
        assessment_id,
        child_id,
        referral_id,
        upper(trim(assessment_type)) AS assessment_type,
        start_date,
        CASE WHEN completed_date <= getvariable('as_at') THEN completed_date END AS completed_date,
        marts.is_y(child_seen) AS child_seen,
        marts.is_y(child_seen_alone) AS child_seen_alone,
        marts.is_y(further_action) AS further_action,
        team,
        worker_id
    FROM assessments
    WHERE start_date <= getvariable('as_at')
),

-- Limits in working days from the start: INITIAL 7 before 1 April 2010 (Working Together
-- 2006), 10 from then (Working Together 2010); CORE 35; SINGLE 45.
with_limit AS (
    SELECT
        *,
        CASE assessment_type
            WHEN 'INITIAL' THEN CASE WHEN start_date < DATE '2010-04-01' THEN 7 ELSE 10 END
            WHEN 'CORE' THEN 35
            WHEN 'SINGLE' THEN 45
        END AS limit_wd
    FROM as_at_assessments
),

with_wd AS (
    SELECT
        a.*,
        cs.wd_index AS start_wd_index,
        cc.wd_index - cs.wd_index AS completion_wd,
        ct.wd_index - cs.wd_index AS wd_to_as_at,
        -- The last date still within the limit: the limit-th working day after the start and
        -- the weekend or holidays that follow it.
        due.last_date AS due_date
    FROM with_limit AS a
    LEFT JOIN calendar AS cs ON cs.date = a.start_date
    LEFT JOIN calendar AS cc ON cc.date = a.completed_date
    LEFT JOIN wd_last_date AS due ON due.wd_index = cs.wd_index + a.limit_wd
    LEFT JOIN (SELECT wd_index FROM calendar WHERE date = getvariable('as_at')) AS ct ON true
)

SELECT
    assessment_id,
    child_id,
    referral_id,
    assessment_type,
    start_date,
    completed_date,
    child_seen,
    child_seen_alone,
    further_action,
    team,
    marts.team_label(team) AS team_label,
    worker_id,
    limit_wd,
    due_date,
    start_wd_index,
    completion_wd,
    coalesce(completed_date < start_date, false) AS completed_before_start,
    -- Timeliness leaves out a completion before the start (a data error).
    CASE
        WHEN completed_date IS NOT NULL AND completed_date >= start_date AND limit_wd IS NOT NULL
            THEN completion_wd <= limit_wd
    END AS on_time,
    completed_date IS NULL AS open_at_as_at,
    completed_date IS NULL AND wd_to_as_at > limit_wd AS backlog_at_as_at,
    wd_to_as_at AS open_wd_at_as_at
FROM with_wd
ORDER BY start_date, assessment_id;

COMMENT ON TABLE marts.fact_assessments IS 'One row per assessment started on or before as_at, as it stood on as_at (a completion after as_at is blank), with its working days, limit, due date, on-time flag and status at as_at. Open at T: start_date <= T and (completed_date blank or > T).';
COMMENT ON COLUMN marts.fact_assessments.assessment_id IS 'staging.assessments.assessment_id.';
COMMENT ON COLUMN marts.fact_assessments.child_id IS 'The child assessed.';
COMMENT ON COLUMN marts.fact_assessments.referral_id IS 'The episode it belongs to, as recorded.';
COMMENT ON COLUMN marts.fact_assessments.assessment_type IS 'INITIAL, CORE or SINGLE (trimmed, upper case; an unknown code is kept and has no limit).';
COMMENT ON COLUMN marts.fact_assessments.start_date IS 'The actual start: timeliness is measured from it.';
COMMENT ON COLUMN marts.fact_assessments.completed_date IS 'Authorised by a manager; blank if still open at as_at.';
COMMENT ON COLUMN marts.fact_assessments.child_seen IS 'True if child_seen is Y.';
COMMENT ON COLUMN marts.fact_assessments.child_seen_alone IS 'True if child_seen_alone is Y.';
COMMENT ON COLUMN marts.fact_assessments.further_action IS 'True if further_action is Y.';
COMMENT ON COLUMN marts.fact_assessments.team IS 'The team as recorded (may be blank).';
COMMENT ON COLUMN marts.fact_assessments.team_label IS 'The team as reported in breakdowns: blank is (none).';
COMMENT ON COLUMN marts.fact_assessments.worker_id IS 'The assessing worker, as recorded.';
COMMENT ON COLUMN marts.fact_assessments.limit_wd IS 'The time limit in working days from the start: INITIAL 7 (started before 2010-04-01) or 10, CORE 35, SINGLE 45; blank for an unknown type.';
COMMENT ON COLUMN marts.fact_assessments.due_date IS 'The last date d with wd(start_date, d) <= limit_wd: completed on or before it is on time; open after it is backlog.';
COMMENT ON COLUMN marts.fact_assessments.start_wd_index IS 'ref.calendar.wd_index of start_date (wd(start, T) = wd_index(T) - this).';
COMMENT ON COLUMN marts.fact_assessments.completion_wd IS 'wd(start_date, completed_date): working days d with start < d <= completed; 0 for a same-day completion. Blank while open.';
COMMENT ON COLUMN marts.fact_assessments.completed_before_start IS 'True if completed_date is before start_date (a data error): left out of the timeliness percentages and medians.';
COMMENT ON COLUMN marts.fact_assessments.on_time IS 'completion_wd <= limit_wd; blank if open, a data error or of unknown type.';
COMMENT ON COLUMN marts.fact_assessments.open_at_as_at IS 'True if open at as_at (not completed on or before as_at).';
COMMENT ON COLUMN marts.fact_assessments.backlog_at_as_at IS 'True if open at as_at and wd(start_date, as_at) > limit_wd.';
COMMENT ON COLUMN marts.fact_assessments.open_wd_at_as_at IS 'wd(start_date, as_at).';
