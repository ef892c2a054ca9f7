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
-- plans open at T whose latest visit on or before T is known (inner join: no visit, no row)
cases AS (
    SELECT
        'cp_seen_alone_pct' AS metric_id, p.period_type, p.period_label,
        marts.by_team(c.team) AS under, s.seen_alone::INT AS n, 1 AS d, NULL AS x
    FROM marts.fact_cp_plans AS c
    JOIN marts.periods AS p
        ON c.start_date <= p.period_end
        AND coalesce(c.end_date, DATE '9999-12-31') > p.period_end
    JOIN marts.fact_cp_visit_segments AS s
        ON s.plan_id = c.plan_id AND s.seg_from <= p.period_end AND s.seg_to > p.period_end
),

breakdowns AS (
    SELECT marts.by_team(team) AS under FROM marts.fact_cp_plans
)

SELECT * FROM marts.metric_family(
    cases, breakdowns, [{'metric_id': 'cp_seen_alone_pct', 'kind': 'pct'}]
);

COMMENT ON TABLE marts.metrics_cp_visits IS 'cp_seen_alone_pct for marts.metric_values, by period and plan team (only when cp_visits.csv is present).';
