-- requires: marts.fact_private_fostering, marts.period_days, marts.periods
--
-- Private fostering notifications and the first visit (docs/metrics.md v5: pf_notifications,
-- pf_initial_visit_7wd_pct). Why: the 2013 letter found "not enough children who are
-- [privately fostered] are known to the council"; the Children (Private Arrangements for
-- Fostering) Regulations 2005 ask for a visit within 7 working days of the notification.
-- pf_initial_visit_7wd_pct: notifications in the period; numerator those visited with
-- wd(notification_date, initial_visit_date) <= 7; a notification not yet visited whose window
-- is still running at as_at is left out (marts.fact_private_fostering). Breakdown: the team.

CREATE OR REPLACE TABLE marts.metrics_private_fostering AS
WITH
notified AS (
    SELECT p.period_type, p.period_label, f.*
    FROM marts.fact_private_fostering AS f
    JOIN marts.period_days AS p ON p.date = f.notification_date
),

cases AS (
    SELECT
        'pf_notifications' AS metric_id, period_type, period_label,
        marts.by_team(team) AS under, 1 AS n, NULL AS d, NULL AS x
    FROM notified
    UNION ALL
    SELECT
        'pf_initial_visit_7wd_pct', period_type, period_label, marts.by_team(team),
        visited_within_7wd::INT, 1, NULL
    FROM notified
    WHERE NOT visit_window_running
),

breakdowns AS (
    SELECT marts.by_team(team) AS under FROM marts.fact_private_fostering
)

SELECT * FROM marts.metric_family(cases, breakdowns, [
    {'metric_id': 'pf_notifications', 'kind': 'count'},
    {'metric_id': 'pf_initial_visit_7wd_pct', 'kind': 'pct'}
]);

COMMENT ON TABLE marts.metrics_private_fostering IS 'pf_notifications and pf_initial_visit_7wd_pct for marts.metric_values, by period and team (only when private_fostering.csv is present).';
