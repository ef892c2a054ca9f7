-- requires: staging.s47_enquiries, ref.calendar
-- marts.fact_s47_enquiries: one row per enquiry as it stood on as_at, behind the section 47
-- metrics (metrics_s47.sql).

CREATE OR REPLACE TABLE marts.fact_s47_enquiries AS
WITH
run AS (
    SELECT getvariable('as_at')::DATE AS as_at
),

-- import: enquiries started by as_at; dates after as_at blanked with what they carry
-- (icpc_resulted_in_plan goes with icpc_date); undated flags taken as recorded.
enquiries AS (
    SELECT
        e.s47_id,
        e.child_id,
        e.referral_id,
        coalesce(nullif(trim(e.team), ''), '(none)') AS team,
        e.strategy_discussion_date AS strategy_date,
        CASE WHEN e.end_date <= r.as_at THEN e.end_date END AS end_date,
        CASE WHEN e.icpc_date <= r.as_at THEN e.icpc_date END AS icpc_date,
        coalesce(e.icpc_not_required, false) AS icpc_not_required,
        coalesce(e.icpc_transfer_in, false) AS icpc_transfer_in,
        CASE WHEN e.icpc_date <= r.as_at THEN e.icpc_resulted_in_plan END AS icpc_resulted_in_plan,
        r.as_at
    FROM staging.s47_enquiries AS e
    CROSS JOIN run AS r
    WHERE e.strategy_discussion_date <= r.as_at
),

calendar AS (
    SELECT date, is_working_day, wd_index FROM ref.calendar
),

-- logic: working days by calendar join on dates (wd(a, b) = wd_index(b) - wd_index(a))
with_wd AS (
    SELECT
        e.*,
        cs.wd_index AS strategy_wd_index,
        ci.wd_index - cs.wd_index AS icpc_wd,
        ca.wd_index - cs.wd_index AS wd_to_as_at
    FROM enquiries AS e
    LEFT JOIN calendar AS cs ON cs.date = e.strategy_date
    LEFT JOIN calendar AS ci ON ci.date = e.icpc_date
    LEFT JOIN calendar AS ca ON ca.date = e.as_at
),

-- the 15th working day after the strategy discussion: the last working day an ICPC is in time
due AS (
    SELECT
        w.*,
        cd.date AS icpc_due_date
    FROM with_wd AS w
    LEFT JOIN calendar AS cd
        ON cd.wd_index = w.strategy_wd_index + 15 AND cd.is_working_day
)

SELECT
    s47_id,
    child_id,
    referral_id,
    team,
    strategy_date,
    end_date,
    icpc_not_required,
    icpc_date,
    icpc_transfer_in,
    icpc_resulted_in_plan,
    icpc_due_date,
    icpc_wd,
    -- in icpc_15wd_pct: held, not a transfer-in, and not dated before the strategy discussion
    (icpc_date IS NOT NULL AND NOT icpc_transfer_in AND icpc_date >= strategy_date)
        AS icpc_in_timeliness,
    CASE
        WHEN icpc_date IS NOT NULL AND NOT icpc_transfer_in AND icpc_date >= strategy_date
            THEN icpc_wd <= 15
    END AS icpc_within_15wd,
    (end_date IS NULL) AS open_at_as_at,
    (
        end_date IS NULL
        AND NOT icpc_not_required
        AND icpc_date IS NULL
        AND wd_to_as_at > 15
    ) AS overdue_icpc_at_as_at,
    strategy_wd_index
FROM due;

COMMENT ON TABLE marts.fact_s47_enquiries IS 'One row per section 47 enquiry whose strategy discussion is on or before as_at, as it stood on as_at (dates after as_at blanked). Behind s47_enquiries, icpc_15wd_pct and s47_overdue_icpc.';
COMMENT ON COLUMN marts.fact_s47_enquiries.s47_id IS 'The enquiry (s47_enquiries.csv s47_id).';
COMMENT ON COLUMN marts.fact_s47_enquiries.child_id IS 'The child.';
COMMENT ON COLUMN marts.fact_s47_enquiries.referral_id IS 'The referral (CIN episode) the enquiry belongs to, as recorded.';
COMMENT ON COLUMN marts.fact_s47_enquiries.team IS 'The enquiry''s team; blank recorded as (none). The team breakdown of the S47 metrics.';
COMMENT ON COLUMN marts.fact_s47_enquiries.strategy_date IS 'Date of the strategy discussion that started the enquiry (the S47 start).';
COMMENT ON COLUMN marts.fact_s47_enquiries.end_date IS 'Date the enquiry concluded; NULL while open or when dated after as_at.';
COMMENT ON COLUMN marts.fact_s47_enquiries.icpc_not_required IS 'True when the enquiry concluded that no conference was needed (taken as recorded; blank = false).';
COMMENT ON COLUMN marts.fact_s47_enquiries.icpc_date IS 'Date the initial child protection conference was held; NULL when none or dated after as_at.';
COMMENT ON COLUMN marts.fact_s47_enquiries.icpc_transfer_in IS 'True for a conference for a child moving in from another LA (excluded from ICPC timeliness).';
COMMENT ON COLUMN marts.fact_s47_enquiries.icpc_resulted_in_plan IS 'Whether the ICPC resulted in a plan; NULL when there is no ICPC on or before as_at.';
COMMENT ON COLUMN marts.fact_s47_enquiries.icpc_due_date IS 'The 15th working day after the strategy discussion: an ICPC on or before it (or on a non-working day before the 16th) is in time.';
COMMENT ON COLUMN marts.fact_s47_enquiries.icpc_wd IS 'Working days from strategy discussion to ICPC, wd(strategy_date, icpc_date); NULL without an ICPC.';
COMMENT ON COLUMN marts.fact_s47_enquiries.icpc_in_timeliness IS 'True when the ICPC counts in icpc_15wd_pct: held by as_at, not a transfer-in, not dated before the strategy discussion.';
COMMENT ON COLUMN marts.fact_s47_enquiries.icpc_within_15wd IS 'For ICPCs in icpc_15wd_pct: icpc_wd <= 15. NULL for enquiries not in that measure.';
COMMENT ON COLUMN marts.fact_s47_enquiries.open_at_as_at IS 'True when the enquiry has no end date on or before as_at.';
COMMENT ON COLUMN marts.fact_s47_enquiries.overdue_icpc_at_as_at IS 'True when, at as_at, the enquiry counts in s47_overdue_icpc: open, conference not ruled out, none held, more than 15 working days since the strategy discussion.';
COMMENT ON COLUMN marts.fact_s47_enquiries.strategy_wd_index IS 'ref.calendar wd_index of the strategy date (for working-day arithmetic).';
