-- requires: marts.fact_cp_children_open, marts.periods, staging.population
--
-- Children on a child protection plan per 10,000 resident children (docs/metrics.md:
-- cp_plans_rate_per_10k), the DfE's way to compare LAs of different size.
-- Numerator: cp_plans_open (children) at the period end T. Denominator: children_0_17 for the
-- population year = the start year of T's financial year (the mid-year estimate inside it); if
-- that year is missing, the latest earlier year; if there is none, numerator, denominator and
-- value are all NULL. Only the all/ALL breakdown: the population has no team.

CREATE OR REPLACE TABLE marts.metrics_cp_rate AS
WITH
periods AS (
    SELECT
        period_type,
        period_label,
        period_start,
        period_end,
        -- financial year 1 April - 31 March: January-March belong to the year before
        year(period_end) - CASE WHEN month(period_end) < 4 THEN 1 ELSE 0 END AS population_year
    FROM marts.periods
),

population AS (
    SELECT year, children_0_17 FROM staging.population
),

children_open AS (
    SELECT period_type, period_label, count(*) AS n
    FROM marts.fact_cp_children_open
    GROUP BY ALL
),

-- the latest population year on or before the one wanted (ASOF join: no per-row subquery)
with_population AS (
    SELECT p.*, pop.year AS used_year, pop.children_0_17
    FROM periods AS p
    ASOF LEFT JOIN population AS pop ON pop.year <= p.population_year
)

SELECT
    'cp_plans_rate_per_10k' AS metric_id,
    w.period_type,
    w.period_label,
    w.period_start,
    w.period_end,
    'all' AS breakdown,
    'ALL' AS breakdown_value,
    CASE WHEN w.used_year IS NOT NULL THEN coalesce(c.n, 0) END::DOUBLE AS numerator,
    w.children_0_17::DOUBLE AS denominator,
    CASE
        WHEN w.children_0_17 > 0 THEN 10000.0 * coalesce(c.n, 0) / w.children_0_17
    END::DOUBLE AS value
FROM with_population AS w
LEFT JOIN children_open AS c USING (period_type, period_label);

COMMENT ON TABLE marts.metrics_cp_rate IS 'cp_plans_rate_per_10k for marts.metric_values: children on a plan at the period end per 10,000 children aged 0-17 (population of the financial year''s start year, else the latest earlier year; all NULL when none).';
