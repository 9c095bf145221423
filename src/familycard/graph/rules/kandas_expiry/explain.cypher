// kandas_expiry, for one person ($iin): each kandas status of theirs.
MATCH (p:Person {iin: $iin})-[:HAS_FACT]->(k:Fact)
WHERE k.type = 'kandas'
RETURN DISTINCT p.iin AS iin, NULL AS subject, k.valid_to AS event, k.valid_to AS ends_on, $ends_by AS ends_by,
       k.valid_to IS NOT NULL AND k.valid_to >= $as_of AND k.valid_to <= $ends_by AS ends_soon,
       p.death_date IS NULL OR p.death_date > $as_of AS alive
