// large_family, for one person ($iin): themselves as a parent, the other parents of their
// children, and their own parents; each parent's children with the reason each counts or not.
MATCH (x:Person {iin: $iin})
OPTIONAL MATCH (x)-[:PARENT_OF]->(:Person)<-[:PARENT_OF]-(o:Person)
OPTIONAL MATCH (pa:Person)-[:PARENT_OF]->(x)
WITH x, collect(DISTINCT o.iin) + collect(DISTINCT pa.iin) AS others
UNWIND others + [x.iin] AS pi
WITH DISTINCT pi
MATCH (p:Person) WHERE p.iin = pi
OPTIONAL MATCH (p)-[l:PARENT_OF]->(c:Person)
OPTIONAL MATCH (c)-[:HAS_FACT]->(s:Fact)
  WHERE s.type = 'student' AND s.valid_from <= $as_of AND (s.valid_to IS NULL OR s.valid_to >= $as_of)
WITH p, c, l, count(s) > 0 AS student
WITH p, c, CASE
    WHEN c IS NULL THEN NULL
    WHEN l.until IS NOT NULL AND l.until <= $as_of THEN 'link_ended'
    WHEN c.death_date IS NOT NULL AND c.death_date <= $as_of THEN 'dead'
    WHEN c.birth_date <= $student_born_by THEN 'over_23'
    WHEN c.birth_date <= $adult_born_by AND NOT student THEN 'adult'
    WHEN p.address_id IS NULL OR p.address_id = '' OR c.address_id IS NULL OR c.address_id <> p.address_id THEN 'not_at_home'
    ELSE 'counted' END AS reason
WITH p, count(CASE WHEN reason = 'counted' THEN 1 END) AS children,
     collect(CASE WHEN c IS NOT NULL THEN {iin: c.iin, birth_date: c.birth_date, death_date: c.death_date,
                                          address_id: c.address_id, reason: reason} END) AS items
// the mothers of p's counted children who are alive and have a dependent child at their home
OPTIONAL MATCH (p)-[l1:PARENT_OF]->(c1:Person)<-[l2:PARENT_OF]-(m:Person)
  WHERE p.sex = 'M' AND m.sex = 'F' AND (m.death_date IS NULL OR m.death_date > $as_of)
    AND (l1.until IS NULL OR l1.until > $as_of) AND (l2.until IS NULL OR l2.until > $as_of)
    AND c1.address_id = p.address_id
    AND (c1.death_date IS NULL OR c1.death_date > $as_of) AND c1.birth_date <= $as_of
    AND (c1.birth_date > $adult_born_by OR (c1.birth_date > $student_born_by AND EXISTS {
          MATCH (c1)-[:HAS_FACT]->(s1:Fact)
          WHERE s1.type = 'student' AND s1.valid_from <= $as_of AND (s1.valid_to IS NULL OR s1.valid_to >= $as_of) }))
    AND EXISTS {
      MATCH (m)-[l3:PARENT_OF]->(c2:Person)
      WHERE (l3.until IS NULL OR l3.until > $as_of) AND m.address_id <> '' AND c2.address_id = m.address_id
        AND (c2.death_date IS NULL OR c2.death_date > $as_of) AND c2.birth_date <= $as_of
        AND (c2.birth_date > $adult_born_by OR (c2.birth_date > $student_born_by AND EXISTS {
              MATCH (c2)-[:HAS_FACT]->(s2:Fact)
              WHERE s2.type = 'student' AND s2.valid_from <= $as_of AND (s2.valid_to IS NULL OR s2.valid_to >= $as_of) }))
    }
WITH p, children, items, count(m) AS mothers_with_children_at_home
OPTIONAL MATCH (p)-[:HAS_FACT]->(b:Fact)
  WHERE b.type = 'benefit' AND b.benefit = 'large_family'
    AND b.valid_from <= $as_of AND (b.valid_to IS NULL OR b.valid_to >= $as_of)
WITH p, children, items, mothers_with_children_at_home, count(b) AS receiving
WHERE size(items) > 0
RETURN p.iin AS iin, NULL AS subject, NULL AS event, children, items,
       p.death_date IS NULL OR p.death_date > $as_of AS alive,
       children >= $large_family_min_children AS enough_children,
       p.sex = 'F' OR mothers_with_children_at_home = 0 AS mother_first,
       receiving = 0 AS not_receiving
