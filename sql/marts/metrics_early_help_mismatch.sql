-- requires: marts.fact_early_help, marts.periods, marts.period_days
--
-- Children whose early-help record disagrees with the statutory record (docs/metrics.md:
-- early_help_mismatch_children). Why: the 2010 letter found two recording systems that
-- disagree about the same child.
-- Count of distinct children with an early-help episode starting in the period, linked by a
-- child_id present in children.csv, whose date_of_birth or ethnicity differs from children.csv;
-- each compared only when both sides hold a value (ethnicity: a code other than NOBT and REFU).
-- Episodes starting after as_at have not happened. Only the all/ALL breakdown: neither
-- early_help.csv nor children.csv has a team.

CREATE OR REPLACE TABLE marts.metrics_early_help_mismatch AS
WITH
periods AS (
    SELECT period_type, period_label, period_start, period_end FROM marts.periods
),

episodes AS (
    SELECT child_id, start_date FROM marts.fact_early_help WHERE linked AND mismatch
),

counts AS (
    SELECT p.period_type, p.period_label, count(DISTINCT e.child_id) AS n
    FROM episodes AS e
    JOIN marts.period_days AS p ON p.date = e.start_date
    GROUP BY ALL
)

SELECT
    'early_help_mismatch_children' AS metric_id,
    p.period_type,
    p.period_label,
    p.period_start,
    p.period_end,
    'all' AS breakdown,
    'ALL' AS breakdown_value,
    coalesce(c.n, 0)::DOUBLE AS numerator,
    NULL::DOUBLE AS denominator,
    coalesce(c.n, 0)::DOUBLE AS value
FROM periods AS p
LEFT JOIN counts AS c USING (period_type, period_label);

COMMENT ON TABLE marts.metrics_early_help_mismatch IS 'early_help_mismatch_children for marts.metric_values, by period (all only: no team in either system).';
