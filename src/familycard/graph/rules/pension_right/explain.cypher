// pension_right, for one person ($iin).
MATCH (p:Person {iin: $iin})
OPTIONAL MATCH (p)-[:HAS_FACT]->(f:Fact)
  WHERE f.type = 'pension' AND f.valid_from <= $as_of AND (f.valid_to IS NULL OR f.valid_to >= $as_of)
WITH p, count(f) AS pensions
RETURN p.iin AS iin, NULL AS subject, NULL AS event, p.birth_date AS birth_date, p.sex AS sex,
       $men_born_after AS men_born_after, $men_born_by AS men_born_by,
       $women_born_after AS women_born_after, $women_born_by AS women_born_by,
       $window_from AS window_from, $window_to AS window_to,
       (p.sex = 'M' AND p.birth_date > $men_born_after AND p.birth_date <= $men_born_by)
         OR (p.sex = 'F' AND p.birth_date > $women_born_after AND p.birth_date <= $women_born_by) AS reaches_age,
       p.death_date IS NULL OR p.death_date > $as_of AS alive, pensions = 0 AS no_pension
