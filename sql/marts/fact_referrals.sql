-- requires: staging.referrals
-- marts.fact_referrals: one row per MERGED referral (docs/metrics.md "Referral identity": the
-- copies of one child's referral on one date are one referral, from double keying), as it stood
-- on as_at, with its re-referral flag. Its allocation is in marts.fact_referral_allocations.

CREATE OR REPLACE TABLE marts.fact_referrals AS
WITH

referrals AS (
    SELECT * FROM staging.referrals
),

-- As at: a referral dated after as_at is ignored; a closure after it is blank, with its reason.
as_at_referrals AS (
    SELECT
        referral_id,
        child_id,
        contact_id,
        referral_date,
        marts.is_y(nfa) AS nfa,
        CASE WHEN closure_date <= getvariable('as_at') THEN closure_date END AS closure_date,
        CASE WHEN closure_date <= getvariable('as_at') THEN upper(trim(closure_reason)) END
            AS closure_reason,
        team
    FROM referrals
    WHERE referral_date <= getvariable('as_at')
),

-- The copy that speaks for the merged referral: the one with the latest closure date, an open
-- copy (blank closure) first, ties broken by the lowest referral_id in string order.
ranked AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY child_id, referral_date
            ORDER BY closure_date DESC NULLS FIRST, referral_id
        ) AS copy_rank
    FROM as_at_referrals
),

merged AS (
    SELECT
        child_id,
        referral_date,
        list(referral_id ORDER BY referral_id) AS referral_ids,
        count(*) AS copies,
        -- NFA only if every copy is NFA.
        bool_and(nfa) AS nfa,
        -- Blank if any copy is still open, else the latest: the copy ranked first holds it.
        max(closure_date) FILTER (WHERE copy_rank = 1) AS closure_date,
        max(closure_reason) FILTER (WHERE copy_rank = 1) AS closure_reason,
        max(team) FILTER (WHERE copy_rank = 1) AS team,
        max(referral_id) FILTER (WHERE copy_rank = 1) AS referral_id,
        list(DISTINCT contact_id ORDER BY contact_id) FILTER (WHERE contact_id IS NOT NULL) AS contact_ids
    FROM ranked
    GROUP BY child_id, referral_date
),

-- Merged referrals have distinct dates per child, so the previous one is simply the one before.
with_previous AS (
    SELECT
        *,
        lag(referral_date) OVER (PARTITION BY child_id ORDER BY referral_date)
            AS previous_referral_date
    FROM merged
)

SELECT
    child_id || '|' || strftime(referral_date, '%Y-%m-%d') AS referral_key,
    referral_id,
    referral_ids,
    copies,
    child_id,
    referral_date,
    contact_ids,
    nfa,
    closure_date,
    closure_reason,
    team,
    marts.team_label(team) AS team_label,
    previous_referral_date,
    -- Another referral in [date - 12 months, date); calendar months, clamped to month end.
    coalesce(
        previous_referral_date >= CAST(referral_date - INTERVAL 12 MONTH AS DATE), false
    ) AS rereferral_12m,
    coalesce(closure_date, getvariable('as_at')) AS episode_end,
    closure_date IS NULL AS open_at_as_at
FROM with_previous
ORDER BY referral_date, child_id;

COMMENT ON TABLE marts.fact_referrals IS 'One row per merged referral (one per distinct child_id and referral_date) dated on or before as_at, as it stood on as_at. Every referral count and rate uses these.';
COMMENT ON COLUMN marts.fact_referrals.referral_key IS 'child_id|referral_date: the merged referral''s identity.';
COMMENT ON COLUMN marts.fact_referrals.referral_id IS 'The copy that speaks for the merged referral: latest closure (an open copy first), ties lowest referral_id.';
COMMENT ON COLUMN marts.fact_referrals.referral_ids IS 'Every referral_id merged into this referral, in string order.';
COMMENT ON COLUMN marts.fact_referrals.copies IS 'How many referral rows were merged (more than 1 = double keyed).';
COMMENT ON COLUMN marts.fact_referrals.child_id IS 'The child referred.';
COMMENT ON COLUMN marts.fact_referrals.referral_date IS 'The referral date: the referral belongs to the period containing it.';
COMMENT ON COLUMN marts.fact_referrals.contact_ids IS 'The distinct contact_ids of the copies (blank ones left out).';
COMMENT ON COLUMN marts.fact_referrals.nfa IS 'True only if every copy is NFA = Y (as recorded, whatever as_at).';
COMMENT ON COLUMN marts.fact_referrals.closure_date IS 'Blank if any copy is open at as_at (closure blank or after as_at), else the latest copy closure date.';
COMMENT ON COLUMN marts.fact_referrals.closure_reason IS 'The closure reason of the copy holding closure_date; blank while open.';
COMMENT ON COLUMN marts.fact_referrals.team IS 'The team of the copy holding closure_date (as recorded, may be blank).';
COMMENT ON COLUMN marts.fact_referrals.team_label IS 'The team as reported in breakdowns: blank is (none).';
COMMENT ON COLUMN marts.fact_referrals.previous_referral_date IS 'The date of the child''s latest earlier merged referral, if any.';
COMMENT ON COLUMN marts.fact_referrals.rereferral_12m IS 'rereferral_12m_pct numerator: previous_referral_date is in [referral_date - 12 calendar months, referral_date).';
COMMENT ON COLUMN marts.fact_referrals.episode_end IS 'The last day of the episode window: closure_date, or as_at while open.';
COMMENT ON COLUMN marts.fact_referrals.open_at_as_at IS 'True if the episode is open at as_at (no closure on or before as_at).';
