-- requires: staging.cp_plans, staging.cp_visits
--
-- Children on a plan seen alone at their latest statutory visit (spec/metrics.md:
-- cp_seen_alone_pct). Why: the 2010 letter found children not seen, or not seen alone; a child
-- protection visit should give the child a chance to speak without the adults present.
-- Snapshot at each period end T, over plans open at T with a visit on or before T: the latest
-- such visit was seen alone (several visits on that date: any seen alone; blank = not alone).
-- Set-based: each plan's visit dates become segments [visit_date, next visit date) carrying the
-- seen-alone flag of that date; T falls in at most one. Visits after as_at have not happened.
-- Visits are taken as recorded, even one dated before the plan's start (a data error).
-- Breakdown: the plan's team.

CREATE OR REPLACE TEMP TABLE cp_visit_segments AS
WITH
run AS (
    SELECT getvariable('as_at')::DATE AS as_at
),

-- import: visits by as_at, of plans in the data
visits AS (
    SELECT v.plan_id, v.visit_date, coalesce(v.seen_alone, false) AS seen_alone
    FROM staging.cp_visits AS v
    CROSS JOIN run
    WHERE v.visit_date <= run.as_at
        AND v.plan_id IN (SELECT plan_id FROM marts.fact_cp_plans)
),

-- one row per plan and visit date: any visit that day seen alone
visit_days AS (
    SELECT plan_id, visit_date, bool_or(seen_alone) AS seen_alone, count(*) AS visits
    FROM visits
    GROUP BY plan_id, visit_date
)

SELECT
    plan_id,
    visit_date AS seg_from,
    coalesce(
        lead(visit_date) OVER (PARTITION BY plan_id ORDER BY visit_date), DATE '9999-12-31'
    ) AS seg_to,
    seen_alone,
    sum(visits) OVER (PARTITION BY plan_id ORDER BY visit_date) AS visits_so_far
FROM visit_days;

-- Latest visit at as_at, added to the plan fact.
ALTER TABLE marts.fact_cp_plans ADD COLUMN IF NOT EXISTS visits_to_as_at INTEGER;
ALTER TABLE marts.fact_cp_plans ADD COLUMN IF NOT EXISTS latest_visit_date DATE;
ALTER TABLE marts.fact_cp_plans ADD COLUMN IF NOT EXISTS latest_visit_seen_alone BOOLEAN;

UPDATE marts.fact_cp_plans AS f
SET
    visits_to_as_at = coalesce(s.visits_so_far, 0),
    latest_visit_date = s.seg_from,
    latest_visit_seen_alone = s.seen_alone
FROM (
    SELECT p.plan_id, s.seg_from, s.seen_alone, s.visits_so_far
    FROM marts.fact_cp_plans AS p
    LEFT JOIN cp_visit_segments AS s ON s.plan_id = p.plan_id AND s.seg_to = DATE '9999-12-31'
) AS s
WHERE f.plan_id = s.plan_id;

COMMENT ON COLUMN marts.fact_cp_plans.visits_to_as_at IS 'Statutory visits of the plan dated on or before as_at (cp_visits.csv present only).';
COMMENT ON COLUMN marts.fact_cp_plans.latest_visit_date IS 'The latest visit on or before as_at; NULL if none.';
COMMENT ON COLUMN marts.fact_cp_plans.latest_visit_seen_alone IS 'True when a visit on latest_visit_date saw the child alone (cp_seen_alone_pct numerator at as_at, for an open plan).';

CREATE OR REPLACE TABLE marts.metrics_cp_visits AS
WITH
periods AS (
    SELECT period_type, period_label, period_start, period_end FROM marts.periods
),

plans AS (
    SELECT plan_id, team, start_date, end_date FROM marts.fact_cp_plans
),

segments AS (
    SELECT * FROM cp_visit_segments
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

DROP TABLE cp_visit_segments;
