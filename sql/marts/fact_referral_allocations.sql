-- requires: marts.fact_referrals, marts.fact_allocations, ref.calendar
-- marts.fact_referral_allocations: the allocation of each merged referral (one row per row of
-- marts.fact_referrals, joined on referral_key): the referral date when a qualified allocation
-- of the child is open on it, else the first qualified allocation starting after it within the
-- episode window (referral_date to closure_date, or as_at while open). Joined by child (a child
-- has few allocations), not correlated per row. Only when allocations.csv and workers.csv are
-- present: without them a referral's allocation is unknown, not absent.

CREATE OR REPLACE TABLE marts.fact_referral_allocations AS
WITH

referrals AS (
    SELECT referral_key, child_id, referral_date, episode_end FROM marts.fact_referrals
),

qualified AS (
    SELECT child_id, qualified_start, qualified_end
    FROM marts.fact_allocations
    WHERE qualified_start IS NOT NULL
),

calendar AS (
    SELECT date, wd_index FROM ref.calendar
),

-- The earliest candidate is the answer: the referral date itself beats any later start.
allocated AS (
    SELECT
        r.referral_key,
        min(
            CASE
                WHEN q.qualified_start <= r.referral_date
                    AND (q.qualified_end IS NULL OR q.qualified_end > r.referral_date)
                    THEN r.referral_date
                WHEN q.qualified_start > r.referral_date AND q.qualified_start <= r.episode_end
                    THEN q.qualified_start
            END
        ) AS allocation_date
    FROM referrals AS r
    INNER JOIN qualified AS q ON q.child_id = r.child_id
    GROUP BY r.referral_key
),

measured AS (
    SELECT
        r.referral_key,
        al.allocation_date,
        ac.wd_index - rc.wd_index AS allocation_delay_wd,
        asc_.wd_index - rc.wd_index AS wd_to_as_at
    FROM referrals AS r
    LEFT JOIN allocated AS al ON al.referral_key = r.referral_key
    LEFT JOIN calendar AS rc ON rc.date = r.referral_date
    LEFT JOIN calendar AS ac ON ac.date = al.allocation_date
    LEFT JOIN (SELECT wd_index FROM calendar WHERE date = getvariable('as_at')) AS asc_ ON true
)

SELECT
    referral_key,
    allocation_date,
    allocation_delay_wd,
    allocation_delay_wd IS NOT NULL AND allocation_delay_wd <= 5 AS allocated_within_5wd,
    allocation_date IS NULL AND wd_to_as_at < 5 AS allocation_window_running
FROM measured
ORDER BY referral_key;

COMMENT ON TABLE marts.fact_referral_allocations IS 'The allocation of each merged referral in marts.fact_referrals (join on referral_key), behind allocation_delay_median_wd and allocated_within_5wd_pct. Present only when allocations.csv and workers.csv are.';
COMMENT ON COLUMN marts.fact_referral_allocations.referral_key IS 'marts.fact_referrals.referral_key: the merged referral.';
COMMENT ON COLUMN marts.fact_referral_allocations.allocation_date IS 'The referral date if a qualified allocation of the child is open on it, else the start of the child''s first qualified allocation starting after it within the episode window; blank if none.';
COMMENT ON COLUMN marts.fact_referral_allocations.allocation_delay_wd IS 'wd(referral_date, allocation_date); blank if not allocated.';
COMMENT ON COLUMN marts.fact_referral_allocations.allocated_within_5wd IS 'allocated_within_5wd_pct numerator (for a non-NFA referral): allocation_delay_wd <= 5.';
COMMENT ON COLUMN marts.fact_referral_allocations.allocation_window_running IS 'True if unallocated and wd(referral_date, as_at) < 5: left out of the allocated_within_5wd_pct denominator.';
