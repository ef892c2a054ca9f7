-- requires: marts.fact_referrals, staging.early_help
-- marts.fact_stepdowns: one row per merged referral closed RC9 (stepped down to early help) on
-- or before as_at, with the early-help episode that picked it up, if any
-- (metrics_stepdown.sql).

CREATE OR REPLACE TABLE marts.fact_stepdowns AS
WITH
run AS (
    SELECT getvariable('as_at')::DATE AS as_at
),

stepdowns AS (
    SELECT referral_key, referral_ids, child_id, referral_date, closure_date, team_label
    FROM marts.fact_referrals
    WHERE closure_reason = 'RC9' AND closure_date IS NOT NULL
),

episodes AS (
    SELECT e.episode_id, e.child_id, e.start_date, e.source_referral_id
    FROM staging.early_help AS e
    CROSS JOIN run
    WHERE e.start_date <= run.as_at
),

-- matched by name: an episode naming any copy of the merged referral
named AS (
    SELECT s.referral_key, min(e.episode_id) AS episode_id
    FROM (SELECT referral_key, unnest(referral_ids) AS referral_id FROM stepdowns) AS s
    JOIN episodes AS e ON e.source_referral_id = s.referral_id
    GROUP BY s.referral_key
),

-- matched by child and date: an episode for the child starting within 30 days of closure
nearby AS (
    SELECT s.referral_key, min(e.episode_id) AS episode_id
    FROM stepdowns AS s
    JOIN episodes AS e
        ON e.child_id = s.child_id
        AND e.start_date >= s.closure_date
        AND e.start_date <= s.closure_date + INTERVAL 30 DAY
    GROUP BY s.referral_key
)

SELECT
    s.referral_key,
    s.referral_ids,
    s.child_id,
    s.referral_date,
    s.closure_date,
    s.team_label,
    n.episode_id AS named_episode_id,
    b.episode_id AS nearby_episode_id,
    n.episode_id IS NULL AND b.episode_id IS NULL AS unmatched,
    -- closure + 30 days is after as_at: an episode may yet start (still counted, see docs)
    (s.closure_date + INTERVAL 30 DAY)::DATE > getvariable('as_at') AS match_window_running
FROM stepdowns AS s
LEFT JOIN named AS n USING (referral_key)
LEFT JOIN nearby AS b USING (referral_key);

COMMENT ON TABLE marts.fact_stepdowns IS 'One row per merged referral closed on or before as_at with closure reason RC9 (stepped down to early help), and whether early help picked it up (stepdown_unmatched_pct).';
COMMENT ON COLUMN marts.fact_stepdowns.referral_key IS 'child_id|referral_date: the merged referral (marts.fact_referrals).';
COMMENT ON COLUMN marts.fact_stepdowns.referral_ids IS 'Every referral_id merged into it; an early-help episode naming any of them matches.';
COMMENT ON COLUMN marts.fact_stepdowns.child_id IS 'The child.';
COMMENT ON COLUMN marts.fact_stepdowns.referral_date IS 'The referral date.';
COMMENT ON COLUMN marts.fact_stepdowns.closure_date IS 'The closure date: the period the step-down belongs to.';
COMMENT ON COLUMN marts.fact_stepdowns.team_label IS 'The merged referral''s team ((none) when blank): the team breakdown.';
COMMENT ON COLUMN marts.fact_stepdowns.named_episode_id IS 'The (lowest) early-help episode naming one of referral_ids as source_referral_id, if any.';
COMMENT ON COLUMN marts.fact_stepdowns.nearby_episode_id IS 'The (lowest) early-help episode of the same child starting in [closure_date, closure_date + 30 days], if any.';
COMMENT ON COLUMN marts.fact_stepdowns.match_window_running IS 'True when closure_date + 30 days is after as_at: an early-help episode may still start in the window. Such step-downs are counted as docs/metrics.md says (unmatched if nothing yet); filter on this to see how many are provisional.';
COMMENT ON COLUMN marts.fact_stepdowns.unmatched IS 'True when neither match exists: stepdown_unmatched_pct numerator.';
