// employment_measures: living persons aged 16 up to pension age with an unemployed registration
// covering $as_of (pension-age birth bounds per sex from Python).
MATCH (p:Person)-[:HAS_FACT]->(u:Fact)
WHERE u.type = 'unemployed' AND u.valid_from <= $as_of AND (u.valid_to IS NULL OR u.valid_to >= $as_of)
  AND (p.death_date IS NULL OR p.death_date > $as_of)
  AND p.birth_date <= $working_age_born_by
  AND ((p.sex = 'M' AND p.birth_date > $men_pension_born_by)
    OR (p.sex = 'F' AND p.birth_date > $women_pension_born_by))
RETURN DISTINCT p.iin AS iin, NULL AS subject, u.valid_from AS event
