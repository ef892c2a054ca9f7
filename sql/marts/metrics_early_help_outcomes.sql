-- requires: staging.early_help, marts.period_days, marts.periods
-- requires columns: staging.early_help.end_reason
--
-- Early help that ended with its outcomes met (docs/metrics.md v5: early_help_outcomes_met_pct).
-- Why: the 2013 letter found the council did "not know whether early help ... is really making a
-- difference".
-- Early-help episodes with end_date in the period (an end after as_at is blank, and so is its
-- end_reason), blank end_reason included; numerator end_reason = OUTCOMES_MET. Written only when
-- end_reason holds a value somewhere (an older extract lacks it: absent, not zero). Only the
-- all/ALL breakdown: early_help.csv has no team.

CREATE OR REPLACE TABLE marts.metrics_early_help_outcomes AS
WITH
cases AS (
    SELECT
        'early_help_outcomes_met_pct' AS metric_id, p.period_type, p.period_label,
        marts.by_nothing() AS under,
        coalesce(upper(trim(e.end_reason)) = 'OUTCOMES_MET', false)::INT AS n, 1 AS d,
        NULL AS x
    FROM staging.early_help AS e
    JOIN marts.period_days AS p ON p.date = e.end_date
    WHERE e.start_date <= getvariable('as_at')
),

breakdowns AS (
    SELECT marts.by_nothing() AS under
)

SELECT * FROM marts.metric_family(
    cases, breakdowns, [{'metric_id': 'early_help_outcomes_met_pct', 'kind': 'pct'}]
);

COMMENT ON TABLE marts.metrics_early_help_outcomes IS 'early_help_outcomes_met_pct for marts.metric_values, by period of the episode''s end (all only: no team in early_help.csv; only when end_reason is recorded).';
