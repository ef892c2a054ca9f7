-- requires: marts.run_info
-- marts.periods: the reporting periods, calendar months and financial years (1 April - 31 March)
-- from the one containing first_date to the one containing as_at; the last, partial period ends
-- at as_at (docs/metrics.md "Periods").

CREATE OR REPLACE TABLE marts.periods AS
WITH

bounds AS (
    SELECT first_date, as_at FROM marts.run_info
),

month_starts AS (
    SELECT unnest(generate_series(
        date_trunc('month', first_date), date_trunc('month', as_at), INTERVAL 1 MONTH
    ))::DATE AS period_start
    FROM bounds
),

-- A financial year starts on 1 April of the year in which its April falls.
fy_bounds AS (
    SELECT
        make_date(year(first_date) - CASE WHEN month(first_date) < 4 THEN 1 ELSE 0 END, 4, 1) AS first_fy,
        make_date(year(as_at) - CASE WHEN month(as_at) < 4 THEN 1 ELSE 0 END, 4, 1) AS last_fy
    FROM bounds
),

fy_starts AS (
    SELECT unnest(generate_series(first_fy, last_fy, INTERVAL 1 YEAR))::DATE AS period_start
    FROM fy_bounds
),

all_periods AS (
    SELECT
        'month' AS period_type,
        strftime(period_start, '%Y-%m') AS period_label,
        period_start,
        (period_start + INTERVAL 1 MONTH - INTERVAL 1 DAY)::DATE AS full_end
    FROM month_starts
    UNION ALL
    SELECT
        'financial_year' AS period_type,
        year(period_start)::VARCHAR || '-' || lpad(((year(period_start) + 1) % 100)::VARCHAR, 2, '0') AS period_label,
        period_start,
        (period_start + INTERVAL 1 YEAR - INTERVAL 1 DAY)::DATE AS full_end
    FROM fy_starts
)

SELECT
    p.period_type,
    p.period_label,
    p.period_start,
    least(p.full_end, b.as_at) AS period_end
FROM all_periods AS p
CROSS JOIN bounds AS b
ORDER BY p.period_type, p.period_start;

COMMENT ON TABLE marts.periods IS 'The reporting periods: calendar months and financial years from the one containing the first contact or referral to the one containing as_at.';
COMMENT ON COLUMN marts.periods.period_type IS 'month or financial_year.';
COMMENT ON COLUMN marts.periods.period_label IS '2012-03 for a month; 2012-13 for the financial year 1 April 2012 - 31 March 2013.';
COMMENT ON COLUMN marts.periods.period_start IS 'First day of the period.';
COMMENT ON COLUMN marts.periods.period_end IS 'Last day of the period, or as_at for the last, partial one. Snapshot metrics are taken on this date.';
