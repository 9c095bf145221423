// disabled_child_carer, for one person ($iin): each of their children or wards, and themselves.
MATCH (x:Person {iin: $iin})
OPTIONAL MATCH (x)-[:PARENT_OF|GUARDIAN_OF]->(k:Person)
WITH x, collect(k.iin) AS kids
UNWIND kids + [x.iin] AS ci
MATCH (c:Person) WHERE c.iin = ci
OPTIONAL MATCH (c)-[:HAS_FACT]->(d:Fact)
  WHERE d.type = 'disability' AND d.valid_from <= $as_of AND (d.valid_to IS NULL OR d.valid_to >= $as_of)
WITH c, min(d.valid_from) AS disabled_since
OPTIONAL MATCH (m:Person)-[lm:PARENT_OF]->(c)
  WHERE m.sex = 'F' AND (lm.until IS NULL OR lm.until > $as_of) AND (m.death_date IS NULL OR m.death_date > $as_of)
WITH c, disabled_since, min(m.iin) AS living_mother
OPTIONAL MATCH (f:Person)-[lf:PARENT_OF]->(c)
  WHERE f.sex = 'M' AND (lf.until IS NULL OR lf.until > $as_of) AND (f.death_date IS NULL OR f.death_date > $as_of)
WITH c, disabled_since, living_mother, min(f.iin) AS living_father
OPTIONAL MATCH (g:Person)-[lg:GUARDIAN_OF]->(c)
  WHERE (lg.since IS NULL OR lg.since <= $as_of) AND (lg.until IS NULL OR lg.until > $as_of)
    AND (g.death_date IS NULL OR g.death_date > $as_of)
WITH c, disabled_since, living_mother, living_father, min(g.iin) AS guardian
WITH c, disabled_since, coalesce(living_mother, living_father, guardian) AS carer
OPTIONAL MATCH (r:Person)-[:PARENT_OF|GUARDIAN_OF]->(c) WHERE r.iin = carer
OPTIONAL MATCH (r)-[:HAS_FACT]->(b:Fact)
  WHERE b.type = 'benefit' AND b.benefit = 'disabled_child_carer'
    AND b.valid_from <= $as_of AND (b.valid_to IS NULL OR b.valid_to >= $as_of)
WITH c, disabled_since, carer, count(b) AS receiving
RETURN DISTINCT carer AS iin, c.iin AS subject, disabled_since AS event, c.birth_date AS birth_date,
       disabled_since, carer,
       c.birth_date > $adult_born_by AND c.birth_date <= $as_of AS under_18,
       c.death_date IS NULL OR c.death_date > $as_of AS child_alive,
       disabled_since IS NOT NULL AS disabled, carer IS NOT NULL AS has_carer, receiving = 0 AS not_receiving
