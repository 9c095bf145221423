// birth: the carer of every child born in the 365 days up to and including $as_of.
// carer = the living mother, else the living father, else the lowest-IIN living guardian.
MATCH (c:Person)
WHERE c.birth_date >= $born_since AND c.birth_date <= $as_of
OPTIONAL MATCH (m:Person)-[lm:PARENT_OF]->(c)
  WHERE m.sex = 'F' AND (lm.until IS NULL OR lm.until > $as_of)
WITH c, min(m.iin) AS mother,
     min(CASE WHEN m.death_date IS NULL OR m.death_date > $as_of THEN m.iin END) AS living_mother
OPTIONAL MATCH (f:Person)-[lf:PARENT_OF]->(c)
  WHERE f.sex = 'M' AND (lf.until IS NULL OR lf.until > $as_of)
WITH c, mother, living_mother, min(f.iin) AS father,
     min(CASE WHEN f.death_date IS NULL OR f.death_date > $as_of THEN f.iin END) AS living_father
OPTIONAL MATCH (g:Person)-[lg:GUARDIAN_OF]->(c)
  WHERE (lg.since IS NULL OR lg.since <= $as_of) AND (lg.until IS NULL OR lg.until > $as_of)
    AND (g.death_date IS NULL OR g.death_date > $as_of)
WITH c, mother, living_mother, father, living_father, min(g.iin) AS guardian
WITH c, coalesce(mother, father) AS order_parent, coalesce(living_mother, living_father, guardian) AS carer
WHERE carer IS NOT NULL
// birth order: 1 + the order parent's children born before c (twins: lower IIN first)
OPTIONAL MATCH (c)<-[:PARENT_OF]-(op:Person)-[lo:PARENT_OF]->(s:Person)
  WHERE op.iin = order_parent AND (lo.until IS NULL OR lo.until > $as_of)
    AND (s.birth_date < c.birth_date OR (s.birth_date = c.birth_date AND s.iin < c.iin))
WITH c, carer, count(DISTINCT s.iin) AS older
MATCH (r:Person)-[:PARENT_OF|GUARDIAN_OF]->(c)
WHERE r.iin = carer
  AND NOT EXISTS {
    MATCH (r)-[:HAS_FACT]->(b:Fact)
    WHERE b.type = 'benefit' AND b.benefit = 'birth' AND b.valid_from >= c.birth_date
  }
RETURN DISTINCT r.iin AS iin, c.iin AS subject, c.birth_date AS event, older + 1 AS birth_order
