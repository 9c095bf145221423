// kandas_expiry: living persons whose kandas status ends from $as_of to $as_of + 29 days.
MATCH (p:Person)-[:HAS_FACT]->(k:Fact)
WHERE k.type = 'kandas' AND k.valid_to >= $as_of AND k.valid_to <= $ends_by
  AND (p.death_date IS NULL OR p.death_date > $as_of)
RETURN DISTINCT p.iin AS iin, NULL AS subject, k.valid_to AS event
