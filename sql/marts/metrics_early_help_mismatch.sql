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
-- each child once per period in which a mismatching linked episode of theirs starts
children AS (
    SELECT DISTINCT p.period_type, p.period_label, e.child_id
    FROM marts.fact_early_help AS e
    JOIN marts.period_days AS p ON p.date = e.start_date
    WHERE e.linked AND e.mismatch
),

cases AS (
    SELECT
        'early_help_mismatch_children' AS metric_id, period_type, period_label,
        marts.by_nothing() AS under, 1 AS n, NULL AS d, NULL AS x
    FROM children
),

breakdowns AS (
    SELECT marts.by_nothing() AS under
)

SELECT * FROM marts.metric_family(
    cases, breakdowns, [{'metric_id': 'early_help_mismatch_children', 'kind': 'count'}]
);

COMMENT ON TABLE marts.metrics_early_help_mismatch IS 'early_help_mismatch_children for marts.metric_values, by period (all only: no team in either system).';
