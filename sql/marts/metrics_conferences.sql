-- requires: marts.fact_conferences, marts.period_days, marts.periods
--
-- The child's participation in child protection conferences (docs/metrics.md v5:
-- cp_conference_views_pct, cp_conference_attended_pct). Why: the 2013 letter found children's
-- views "often not heard at important meetings" and that "very few children attend".
-- Conferences held in the period (marts.fact_conferences: ICPCs, transfer-ins included, and
-- review conferences) less those coded PN0 (the child is under 4); a blank code stays in and
-- counts as neither conveyed nor attended. Views conveyed: PN1, PN2, PN3, PN5, PN6; attended:
-- PN1-PN4. Written only where fact_conferences is (both participation columns recorded).
-- Breakdown: the enquiry's team for an ICPC, the plan's team for a review.

CREATE OR REPLACE TABLE marts.metrics_conferences AS
WITH
held AS (
    SELECT p.period_type, p.period_label, c.*
    FROM marts.fact_conferences AS c
    JOIN marts.period_days AS p ON p.date = c.conference_date
    WHERE c.counted
),

cases AS (
    SELECT
        'cp_conference_views_pct' AS metric_id, period_type, period_label,
        marts.by_team(team) AS under, views_conveyed::INT AS n, 1 AS d, NULL AS x
    FROM held
    UNION ALL
    SELECT
        'cp_conference_attended_pct', period_type, period_label, marts.by_team(team),
        attended::INT, 1, NULL
    FROM held
),

breakdowns AS (
    SELECT marts.by_team(team) AS under FROM marts.fact_conferences
)

SELECT * FROM marts.metric_family(cases, breakdowns, [
    {'metric_id': 'cp_conference_views_pct', 'kind': 'pct'},
    {'metric_id': 'cp_conference_attended_pct', 'kind': 'pct'}
]);

COMMENT ON TABLE marts.metrics_conferences IS 'cp_conference_views_pct and cp_conference_attended_pct for marts.metric_values: ICPCs and review conferences held in the period, less PN0, by period and team (only when both participation columns are recorded).';
