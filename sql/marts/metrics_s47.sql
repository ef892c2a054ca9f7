-- requires: marts.fact_s47_enquiries, marts.periods, marts.period_days, ref.calendar
--
-- Section 47 enquiries and their initial child protection conferences (ICPCs).
-- Metrics (docs/metrics.md): s47_enquiries, icpc_15wd_pct, s47_overdue_icpc.
-- Why: Working Together expects an ICPC within 15 working days of the strategy discussion that
-- started the enquiry; a late conference leaves a child at risk without a plan.
-- Breakdown: the enquiry's own team (blank -> '(none)'), so team rows sum to ALL.

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
