-- rule: orphan_child
-- severity: warning
-- for: contacts, referrals
-- requires: staging.{stem}, staging.children, quarantine.children
-- A contact or referral for a child_id that children.csv does not hold (quarantined children
-- count as held). Only run when children.csv was loaded: an absent file is not a finding.
WITH known AS (
    SELECT child_id FROM staging.children
    UNION
    SELECT trim(CAST(child_id AS VARCHAR)) FROM quarantine.children
)

SELECT
    x._source_file,
    x._line,
    'its child_id is not in children.csv' AS detail
FROM staging.{stem} AS x
WHERE x.child_id NOT IN (SELECT child_id FROM known WHERE child_id IS NOT NULL)
