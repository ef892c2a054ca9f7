-- requires: staging.s47_enquiries
--
-- Section 47 enquiries and their initial child protection conferences (ICPCs).
-- Metrics (spec/metrics.md): s47_enquiries, icpc_15wd_pct, s47_overdue_icpc.
-- Why: Working Together expects an ICPC within 15 working days of the strategy discussion that
-- started the enquiry; a late conference leaves a child at risk without a plan.
-- Breakdown: the enquiry's own team (blank -> '(none)'), so team rows sum to ALL.

-- Row-level fact: one row per enquiry as it stood on as_at.
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

-- Metrics: every period x (ALL + every team that occurs) gets a row.
CREATE OR REPLACE TABLE marts.metrics_s47 AS
WITH
periods AS (
    SELECT p.period_type, p.period_label, p.period_start, p.period_end, c.wd_index AS end_wd_index
    FROM marts.periods AS p
    LEFT JOIN ref.calendar AS c ON c.date = p.period_end
),

enquiries AS (
    SELECT * FROM marts.fact_s47_enquiries
),

-- each enquiry once under ALL and once under its team
enquiries_bd AS (
    SELECT e.*, 'all' AS breakdown, 'ALL' AS breakdown_value FROM enquiries AS e
    UNION ALL
    SELECT e.*, 'team' AS breakdown, e.team AS breakdown_value FROM enquiries AS e
),

spine AS (
    SELECT p.*, b.breakdown, b.breakdown_value
    FROM periods AS p
    CROSS JOIN (SELECT DISTINCT breakdown, breakdown_value FROM enquiries_bd) AS b
    UNION ALL
    -- ALL always has rows, even with no enquiries at all
    SELECT p.*, 'all', 'ALL' FROM periods AS p
    WHERE NOT EXISTS (SELECT 1 FROM enquiries)
),

-- s47_enquiries: event count by strategy date
started AS (
    SELECT p.period_type, p.period_label, e.breakdown, e.breakdown_value, count(*) AS n
    FROM enquiries_bd AS e
    JOIN marts.period_days AS p ON p.date = e.strategy_date
    GROUP BY ALL
),

-- icpc_15wd_pct: ICPCs held in period (by icpc_date)
icpcs AS (
    SELECT
        p.period_type, p.period_label, e.breakdown, e.breakdown_value,
        count(*) FILTER (WHERE e.icpc_within_15wd) AS num,
        count(*) AS den
    FROM enquiries_bd AS e
    JOIN marts.period_days AS p ON p.date = e.icpc_date
    WHERE e.icpc_in_timeliness
    GROUP BY ALL
),

-- s47_overdue_icpc: snapshot at period end T. The enquiry is waiting for a conference from its
-- strategy date until it ends or has an ICPC (whichever first), unless ruled out.
overdue AS (
    SELECT p.period_type, p.period_label, e.breakdown, e.breakdown_value, count(*) AS n
    FROM enquiries_bd AS e
    JOIN periods AS p
        ON e.strategy_date <= p.period_end
        AND least(
            coalesce(e.end_date, DATE '9999-12-31'),
            coalesce(e.icpc_date, DATE '9999-12-31')
        ) > p.period_end
    WHERE NOT e.icpc_not_required
        AND p.end_wd_index - e.strategy_wd_index > 15
    GROUP BY ALL
)

SELECT
    's47_enquiries' AS metric_id,
    s.period_type, s.period_label, s.period_start, s.period_end, s.breakdown, s.breakdown_value,
    coalesce(c.n, 0)::DOUBLE AS numerator,
    NULL::DOUBLE AS denominator,
    coalesce(c.n, 0)::DOUBLE AS value
FROM spine AS s
LEFT JOIN started AS c USING (period_type, period_label, breakdown, breakdown_value)
UNION ALL
SELECT
    'icpc_15wd_pct',
    s.period_type, s.period_label, s.period_start, s.period_end, s.breakdown, s.breakdown_value,
    coalesce(i.num, 0)::DOUBLE,
    coalesce(i.den, 0)::DOUBLE,
    100.0 * i.num / nullif(i.den, 0)
FROM spine AS s
LEFT JOIN icpcs AS i USING (period_type, period_label, breakdown, breakdown_value)
UNION ALL
SELECT
    's47_overdue_icpc',
    s.period_type, s.period_label, s.period_start, s.period_end, s.breakdown, s.breakdown_value,
    coalesce(o.n, 0)::DOUBLE,
    NULL::DOUBLE,
    coalesce(o.n, 0)::DOUBLE
FROM spine AS s
LEFT JOIN overdue AS o USING (period_type, period_label, breakdown, breakdown_value);

COMMENT ON TABLE marts.metrics_s47 IS 'S47 family of marts.metric_values: s47_enquiries, icpc_15wd_pct, s47_overdue_icpc by period and team.';
