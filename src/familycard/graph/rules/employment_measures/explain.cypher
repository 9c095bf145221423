// employment_measures, for one person ($iin): each unemployed registration of theirs.
MATCH (p:Person {iin: $iin})-[:HAS_FACT]->(u:Fact)
WHERE u.type = 'unemployed'
RETURN DISTINCT p.iin AS iin, NULL AS subject, u.valid_from AS event, u.valid_from AS registered,
       p.birth_date AS birth_date,
       u.valid_from <= $as_of AND (u.valid_to IS NULL OR u.valid_to >= $as_of) AS registration_valid,
       p.birth_date <= $working_age_born_by
         AND ((p.sex = 'M' AND p.birth_date > $men_pension_born_by)
           OR (p.sex = 'F' AND p.birth_date > $women_pension_born_by)) AS working_age,
       p.death_date IS NULL OR p.death_date > $as_of AS alive
