-- rule: plan_without_s47
-- severity: warning
-- for: cp_plans
-- requires: staging.cp_plans, staging.s47_enquiries
-- A child protection plan with no section 47 enquiry of the same child whose strategy
-- discussion (or initial conference, for a child transferred in) fell in the 12 months up to
-- and including the plan's start. Plans starting before the first strategy discussion in the
-- data are not checked: their enquiry may predate the system's history.
WITH s47 AS (
    SELECT child_id, strategy_discussion_date AS d FROM staging.s47_enquiries
    UNION ALL
    SELECT child_id, icpc_date FROM staging.s47_enquiries WHERE icpc_date IS NOT NULL
),

history AS (
    SELECT min(strategy_discussion_date) AS first_s47 FROM staging.s47_enquiries
)

SELECT
    p._source_file,
    p._line,
    'the plan has no S47 enquiry of the child in the 12 months before its start' AS detail
FROM staging.{stem} AS p, history AS h
WHERE p.start_date >= h.first_s47
  AND NOT EXISTS (
      SELECT 1 FROM s47
      WHERE s47.child_id = p.child_id
        AND s47.d <= p.start_date
        AND s47.d >= p.start_date - INTERVAL 12 MONTH
  )
