-- requires: marts.fact_cp_plans, marts.fact_cp_visit_segments, marts.periods
--
-- Children on a plan seen alone at their latest statutory visit (docs/metrics.md:
-- cp_seen_alone_pct). Why: the 2010 letter found children not seen, or not seen alone; a child
-- protection visit should give the child a chance to speak without the adults present.
-- Snapshot at each period end T, over plans open at T with a visit on or before T: the latest
-- such visit was seen alone (several visits on that date: any seen alone; blank = not alone).
-- Set-based: each plan's visit dates become segments [visit_date, next visit date) carrying the
-- seen-alone flag of that date; T falls in at most one. Visits after as_at have not happened.
-- Visits are taken as recorded, even one dated before the plan's start (a data error).
-- Breakdown: the plan's team.

CREATE OR REPLACE TABLE marts.metrics_cp_visits AS
WITH
periods AS (
    SELECT period_type, period_label, period_start, period_end FROM marts.periods
),

plans AS (
    SELECT plan_id, team, start_date, end_date FROM marts.fact_cp_plans
),

segments AS (
    SELECT * FROM marts.fact_cp_visit_segments
),

-- plans open at T whose latest visit on or before T is known (inner join: no visit, no row)
judged AS (
    SELECT p.period_type, p.period_label, c.team, s.seen_alone
    FROM plans AS c
    JOIN periods AS p
        ON c.start_date <= p.period_end
        AND coalesce(c.end_date, DATE '9999-12-31') > p.period_end
    JOIN segments AS s
        ON s.plan_id = c.plan_id AND s.seg_from <= p.period_end AND s.seg_to > p.period_end
),

judged_bd AS (
    SELECT period_type, period_label, 'all' AS breakdown, 'ALL' AS breakdown_value, seen_alone
    FROM judged
    UNION ALL
    SELECT period_type, period_label, 'team', team, seen_alone FROM judged
),

counts AS (
    SELECT
        period_type, period_label, breakdown, breakdown_value,
        count(*) FILTER (WHERE seen_alone) AS num,
        count(*) AS den
    FROM judged_bd
    GROUP BY ALL
),

breakdowns AS (
    SELECT 'all' AS breakdown, 'ALL' AS breakdown_value
    UNION
    SELECT DISTINCT 'team', team FROM plans
)

SELECT
    'cp_seen_alone_pct' AS metric_id,
    p.period_type,
    p.period_label,
    p.period_start,
    p.period_end,
    b.breakdown,
    b.breakdown_value,
    coalesce(c.num, 0)::DOUBLE AS numerator,
    coalesce(c.den, 0)::DOUBLE AS denominator,
    marts.pct(coalesce(c.num, 0), coalesce(c.den, 0))::DOUBLE AS value
FROM periods AS p
CROSS JOIN breakdowns AS b
LEFT JOIN counts AS c USING (period_type, period_label, breakdown, breakdown_value);

COMMENT ON TABLE marts.metrics_cp_visits IS 'cp_seen_alone_pct for marts.metric_values, by period and plan team (only when cp_visits.csv is present).';
