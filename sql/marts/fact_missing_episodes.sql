-- requires: staging.missing_episodes
--
-- marts.fact_missing_episodes: one row per episode of a child missing from home or care that
-- started on or before as_at, as it stood on as_at (a return or interview dated after it is
-- blank), with the return interview's timeliness: behind missing_episodes,
-- missing_rhi_offered_pct and missing_rhi_72h_pct (docs/metrics.md v5).

CREATE OR REPLACE TABLE marts.fact_missing_episodes AS
WITH
episodes AS (
    SELECT
        episode_id, child_id, start_date,
        CASE WHEN return_date <= getvariable('as_at') THEN return_date END AS return_date,
        marts.is_y(return_interview_offered) AS interview_offered,
        CASE
            WHEN return_interview_date <= getvariable('as_at') THEN return_interview_date
        END AS interview_date,
        marts.team_label(team) AS team
    FROM staging.missing_episodes
    WHERE start_date <= getvariable('as_at')
)

SELECT
    *,
    (return_date + INTERVAL 3 DAY)::DATE AS interview_due_date,
    coalesce(interview_date <= return_date + INTERVAL 3 DAY, false) AS interview_within_72h,
    (
        return_date IS NOT NULL AND interview_date IS NULL
        AND return_date + INTERVAL 3 DAY > getvariable('as_at')
    ) AS interview_window_running
FROM episodes
ORDER BY start_date, episode_id;

COMMENT ON TABLE marts.fact_missing_episodes IS 'One row per missing episode started on or before as_at, as at as_at. Behind missing_episodes, missing_rhi_offered_pct and missing_rhi_72h_pct.';
COMMENT ON COLUMN marts.fact_missing_episodes.episode_id IS 'missing_episodes.episode_id.';
COMMENT ON COLUMN marts.fact_missing_episodes.child_id IS 'The child.';
COMMENT ON COLUMN marts.fact_missing_episodes.start_date IS 'The child went missing (missing_episodes counts by it).';
COMMENT ON COLUMN marts.fact_missing_episodes.return_date IS 'The child returned or was found; NULL while still missing at as_at (a return after as_at is blank). The interview measures count by it.';
COMMENT ON COLUMN marts.fact_missing_episodes.interview_offered IS 'return_interview_offered = Y.';
COMMENT ON COLUMN marts.fact_missing_episodes.interview_date IS 'The return interview, if held on or before as_at.';
COMMENT ON COLUMN marts.fact_missing_episodes.team IS 'The episode''s team ((none) when blank): the team breakdown.';
COMMENT ON COLUMN marts.fact_missing_episodes.interview_due_date IS 'return_date + 3 days: the last day within 72 hours (whole days).';
COMMENT ON COLUMN marts.fact_missing_episodes.interview_within_72h IS 'An interview on or before interview_due_date (offered or not).';
COMMENT ON COLUMN marts.fact_missing_episodes.interview_window_running IS 'Returned, no interview yet, and interview_due_date after as_at: left out of missing_rhi_72h_pct.';
