-- requires: staging.missing_episodes, marts.period_days, marts.periods
--
-- Children missing from home or care and their return interviews (docs/metrics.md v5:
-- missing_episodes, missing_rhi_offered_pct, missing_rhi_72h_pct). Why: the 2013 letter found
-- the council did not always "do the right things when a child goes missing"; statutory
-- guidance (2014) asks for an independent return interview within 72 hours.
-- As at: an episode starting after as_at has not happened; a return or interview dated after it
-- is blank. missing_episodes counts episodes by start_date. The other two take episodes with
-- return_date in the period: offered when return_interview_offered = Y; within 72 hours (whole
-- days, offered or not) when return_interview_date <= return_date + 3 days, an episode with no
-- interview yet whose window is still running (return_date + 3 days > as_at) left out.
-- Breakdown: the episode's team.

CREATE OR REPLACE TABLE marts.metrics_missing AS
WITH
episodes AS (
    SELECT
        start_date,
        CASE WHEN return_date <= getvariable('as_at') THEN return_date END AS return_date,
        return_interview_offered,
        CASE
            WHEN return_interview_date <= getvariable('as_at') THEN return_interview_date
        END AS interview_date,
        marts.team_label(team) AS team
    FROM staging.missing_episodes
    WHERE start_date <= getvariable('as_at')
),

returned AS (
    SELECT p.period_type, p.period_label, e.*
    FROM episodes AS e
    JOIN marts.period_days AS p ON p.date = e.return_date
),

cases AS (
    SELECT
        'missing_episodes' AS metric_id, p.period_type, p.period_label,
        marts.by_team(e.team) AS under, 1 AS n, NULL AS d, NULL AS x
    FROM episodes AS e
    JOIN marts.period_days AS p ON p.date = e.start_date
    UNION ALL
    SELECT
        'missing_rhi_offered_pct', period_type, period_label, marts.by_team(team),
        marts.is_y(return_interview_offered)::INT, 1, NULL
    FROM returned
    UNION ALL
    SELECT
        'missing_rhi_72h_pct', period_type, period_label, marts.by_team(team),
        coalesce(interview_date <= return_date + INTERVAL 3 DAY, false)::INT, 1, NULL
    FROM returned
    WHERE interview_date IS NOT NULL OR return_date + INTERVAL 3 DAY <= getvariable('as_at')
),

breakdowns AS (
    SELECT marts.by_team(team) AS under FROM episodes
)

SELECT * FROM marts.metric_family(cases, breakdowns, [
    {'metric_id': 'missing_episodes', 'kind': 'count'},
    {'metric_id': 'missing_rhi_offered_pct', 'kind': 'pct'},
    {'metric_id': 'missing_rhi_72h_pct', 'kind': 'pct'}
]);

COMMENT ON TABLE marts.metrics_missing IS 'missing_episodes, missing_rhi_offered_pct and missing_rhi_72h_pct for marts.metric_values, by period and episode team (only when missing_episodes.csv is present).';
