-- requires: marts.fact_workers, marts.periods
--
-- Permanent social workers leaving (docs/metrics.md v5: permanent_sw_turnover_12m_pct). Why:
-- the 2013 letter found a shortage of permanent social workers; DfE's workforce statistics
-- publish turnover the same way (leavers in the year over those in post).
-- Snapshot at each period end T: numerator qualified social workers with employment =
-- PERMANENT whose end_date is in (T - 12 months, T] (calendar months, clamped); denominator
-- qualified PERMANENT workers in post at T (start blank or <= T, end blank or > T). A leaver is
-- not in post at T, so the numerator is not a part of the denominator (a rate, as DfE's). An end
-- after as_at is blank (fact_workers). Breakdown: the worker's team.

CREATE OR REPLACE TABLE marts.metrics_turnover AS
WITH
permanent AS (
    SELECT
        team, end_date,
        coalesce(start_date, DATE '0001-01-01') AS start_date
    FROM marts.fact_workers
    WHERE qualified AND employment = 'PERMANENT'
),

cases AS (
    -- leavers in (T - 12 months, T]
    SELECT
        'permanent_sw_turnover_12m_pct' AS metric_id, p.period_type, p.period_label,
        marts.by_team(w.team) AS under, 1 AS n, 0 AS d, NULL AS x
    FROM permanent AS w
    JOIN marts.periods AS p
        ON w.end_date > (p.period_end - INTERVAL 12 MONTH)::DATE AND w.end_date <= p.period_end
    UNION ALL
    -- in post at T
    SELECT
        'permanent_sw_turnover_12m_pct', p.period_type, p.period_label, marts.by_team(w.team),
        0, 1, NULL
    FROM permanent AS w
    JOIN marts.periods AS p
        ON w.start_date <= p.period_end
        AND coalesce(w.end_date, DATE '9999-12-31') > p.period_end
),

breakdowns AS (
    SELECT marts.by_team(team) AS under FROM marts.fact_workers
)

SELECT * FROM marts.metric_family(
    cases, breakdowns, [{'metric_id': 'permanent_sw_turnover_12m_pct', 'kind': 'pct'}]
);

COMMENT ON TABLE marts.metrics_turnover IS 'permanent_sw_turnover_12m_pct for marts.metric_values, by period and worker team (only when workers.csv is present).';
