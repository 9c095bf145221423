// pension_right: living persons reaching pension age from $as_of - 365 to $as_of + 29 days
// (birth-date bounds per sex from Python: the age depends on sex and year), without a pension.
MATCH (p:Person)
WHERE ((p.sex = 'M' AND p.birth_date > $men_born_after AND p.birth_date <= $men_born_by)
    OR (p.sex = 'F' AND p.birth_date > $women_born_after AND p.birth_date <= $women_born_by))
  AND (p.death_date IS NULL OR p.death_date > $as_of)
  AND NOT EXISTS {
    MATCH (p)-[:HAS_FACT]->(f:Fact)
    WHERE f.type = 'pension' AND f.valid_from <= $as_of AND (f.valid_to IS NULL OR f.valid_to >= $as_of)
  }
RETURN p.iin AS iin, NULL AS subject, NULL AS event
