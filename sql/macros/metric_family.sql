-- The metric family mechanism (docs/metrics.md "The framework"): a metrics_<family> file says
-- which cases each of its metrics counts, and these macros do the rest, the same way for every
-- family: the period x breakdown grid, the counts, the percentages, ratios and medians, and the
-- rows in marts.metric_values' shape. pipelines/marts/build.py creates them before the files run.

-- by_team(team): the breakdowns a case is counted under besides all: its team.
CREATE OR REPLACE MACRO marts.by_team(team) AS
    [{'breakdown': 'team', 'breakdown_value': team}];

-- by_nothing(): a case counted under all only (the entity has no team).
CREATE OR REPLACE MACRO marts.by_nothing() AS
    CAST([] AS STRUCT(breakdown VARCHAR, breakdown_value VARCHAR)[]);

-- metric_family(cases, breakdowns, metrics): one row per metric, period and breakdown value.
--   cases      a relation, one row per case a metric counts in a period, with columns
--              metric_id; period_type, period_label (the period the case belongs to: an event's
--              by marts.period_days, a snapshot's by marts.periods); under (the breakdowns it is
--              counted under besides all: marts.by_team(team) or marts.by_nothing()); n (what
--              it adds to the numerator: 1 or 0 for a count or a percentage, a number for a
--              ratio's sum); d (what it adds to the denominator; NULL for a count); x (the value
--              a median is taken of; NULL otherwise).
--   breakdowns a relation with a column under, as cases: the breakdown values that get a row
--              in every period (usually every team of the entity's fact table), besides all.
--   metrics    a list of {'metric_id': ..., 'kind': ...}: kind count (numerator = value = the
--              sum of n, denominator NULL), pct (100 x sum(n) / sum(d), NULL when sum(d) = 0),
--              ratio (sum(n) / sum(d)) or median (median of x; numerator and denominator NULL).
-- Every metric has a row for every period and breakdown value: a count of nothing is 0; a
-- percentage or ratio with nothing to divide by has numerator 0, denominator 0, value NULL; a
-- median of nothing is NULL (docs/metrics.md "Periods"). A case is counted once under all and
-- once under each of its breakdowns, from the same rows, so the teams sum to all.
CREATE OR REPLACE MACRO marts.metric_family(cases, breakdowns, metrics) AS TABLE
WITH
_grid AS (
    SELECT
        m.metric_id, m.kind, p.period_type, p.period_label, p.period_start, p.period_end,
        b.breakdown, b.breakdown_value
    FROM (SELECT unnest(metrics, recursive := true)) AS m
    CROSS JOIN marts.periods AS p
    CROSS JOIN (
        SELECT 'all' AS breakdown, 'ALL' AS breakdown_value
        UNION
        SELECT DISTINCT breakdown, breakdown_value
        FROM (SELECT unnest(under, recursive := true) FROM query_table(breakdowns))
    ) AS b
),

-- The cases are first summed per metric, period, breakdowns and median value (a few groups);
-- a group with a median value is then repeated as often as the value occurred (the sums ride on
-- the first copy only), and each row counted under all and under each of its breakdowns.
_summed AS (
    SELECT metric_id, period_type, period_label, under, x, sum(n) AS n, sum(d) AS d, count(*) AS k
    FROM query_table(cases)
    GROUP BY ALL
),

_repeated AS (
    SELECT
        metric_id, period_type, period_label, under, x,
        CASE WHEN copy = 0 THEN n END AS n, CASE WHEN copy = 0 THEN d END AS d
    FROM (
        SELECT *, unnest(range(CASE WHEN x IS NULL THEN 1 ELSE k END)) AS copy FROM _summed
    )
),

_counted AS (
    SELECT
        metric_id, period_type, period_label, breakdown, breakdown_value,
        sum(n) AS num, sum(d) AS den, median(x) AS med
    FROM (
        SELECT
            metric_id, period_type, period_label, n, d, x,
            unnest(
                list_prepend({'breakdown': 'all', 'breakdown_value': 'ALL'}, under),
                recursive := true
            )
        FROM _repeated
    )
    GROUP BY ALL
)

SELECT
    g.metric_id, g.period_type, g.period_label, g.period_start, g.period_end,
    g.breakdown, g.breakdown_value,
    CASE WHEN g.kind <> 'median' THEN coalesce(c.num, 0) END::DOUBLE AS numerator,
    CASE WHEN g.kind IN ('pct', 'ratio') THEN coalesce(c.den, 0) END::DOUBLE AS denominator,
    CASE g.kind
        WHEN 'count' THEN coalesce(c.num, 0)::DOUBLE
        WHEN 'pct' THEN marts.pct(coalesce(c.num, 0)::DOUBLE, coalesce(c.den, 0)::DOUBLE)
        WHEN 'ratio' THEN coalesce(c.num, 0)::DOUBLE / nullif(coalesce(c.den, 0), 0)::DOUBLE
        WHEN 'median' THEN c.med::DOUBLE
    END AS value
FROM _grid AS g
LEFT JOIN _counted AS c
    USING (metric_id, period_type, period_label, breakdown, breakdown_value);
