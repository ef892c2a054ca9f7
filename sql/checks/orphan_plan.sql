-- rule: orphan_plan
-- severity: warning
-- for: cp_reviews, cp_visits
-- requires: staging.{stem}, staging.cp_plans, quarantine.cp_plans
-- A review or visit of a plan_id that cp_plans.csv does not hold (quarantined plans count as held).
WITH known AS (
    SELECT plan_id FROM staging.cp_plans
    UNION
    SELECT trim(CAST(plan_id AS VARCHAR)) FROM quarantine.cp_plans
)

SELECT
    x._source_file,
    x._line,
    'its plan_id is not in cp_plans.csv' AS detail
FROM staging.{stem} AS x
WHERE x.plan_id NOT IN (SELECT plan_id FROM known WHERE plan_id IS NOT NULL)
