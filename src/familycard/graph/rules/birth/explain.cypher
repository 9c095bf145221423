// birth, for one person ($iin): every child of theirs (and they themselves as a child),
// with each condition of rule.cypher as a column.
MATCH (x:Person {iin: $iin})
OPTIONAL MATCH (x)-[:PARENT_OF|GUARDIAN_OF]->(k:Person)
WITH x, collect(k.iin) AS kids
UNWIND kids + [x.iin] AS ci
MATCH (c:Person) WHERE c.iin = ci
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
OPTIONAL MATCH (c)<-[:PARENT_OF]-(op:Person)-[lo:PARENT_OF]->(s:Person)
  WHERE op.iin = order_parent AND (lo.until IS NULL OR lo.until > $as_of)
    AND (s.birth_date < c.birth_date OR (s.birth_date = c.birth_date AND s.iin < c.iin))
WITH c, carer, count(DISTINCT s.iin) AS older
OPTIONAL MATCH (r:Person)-[:PARENT_OF|GUARDIAN_OF]->(c) WHERE r.iin = carer
OPTIONAL MATCH (r)-[:HAS_FACT]->(b:Fact)
  WHERE b.type = 'benefit' AND b.benefit = 'birth' AND b.valid_from >= c.birth_date
WITH c, carer, older, max(b.valid_from) AS paid_since
RETURN carer AS iin, c.iin AS subject, c.birth_date AS event, older + 1 AS birth_order,
       c.birth_date AS birth_date, $born_since AS born_since, carer,
       c.birth_date >= $born_since AND c.birth_date <= $as_of AS born_in_window,
       carer IS NOT NULL AS has_carer, paid_since IS NULL AS not_yet_paid, paid_since
