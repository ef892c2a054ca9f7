-- rule: orphan_referral
-- severity: warning
-- for: assessments, s47_enquiries, cp_plans, allocations
-- requires: staging.{stem}, staging.referrals, quarantine.referrals
-- A row naming a referral_id that referrals.csv does not hold. A referral that was quarantined
-- still exists in the file, so it is not an orphan here: its own quarantine row is the finding.
WITH known AS (
    SELECT referral_id FROM staging.referrals
    UNION
    SELECT trim(CAST(referral_id AS VARCHAR)) FROM quarantine.referrals
)

SELECT
    x._source_file,
    x._line,
    'its referral_id is not in referrals.csv' AS detail
FROM staging.{stem} AS x
WHERE x.referral_id IS NOT NULL
  AND x.referral_id NOT IN (SELECT referral_id FROM known WHERE referral_id IS NOT NULL)
