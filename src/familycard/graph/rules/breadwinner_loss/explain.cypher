// breadwinner_loss, for one person ($iin): each dead parent of their children (their
// co-parents), each dead parent of their own, and themselves if dead, with the children each
// leaves. (Themselves by name: Neo4j never walks one link twice in a pattern, so the co-parent
// pattern cannot come back to them, while LadybugDB's can.)
MATCH (y:Person {iin: $iin})
OPTIONAL MATCH (y)-[:PARENT_OF|GUARDIAN_OF]->(:Person)<-[:PARENT_OF]-(d1:Person) WHERE d1.death_date IS NOT NULL
OPTIONAL MATCH (d2:Person)-[:PARENT_OF]->(y) WHERE d2.death_date IS NOT NULL
WITH y, collect(DISTINCT d1.iin) + collect(DISTINCT d2.iin) AS dead
UNWIND dead + [y.iin] AS xi
WITH DISTINCT xi
MATCH (x:Person)-[lx:PARENT_OF]->(c:Person) WHERE x.iin = xi AND x.death_date IS NOT NULL
OPTIONAL MATCH (c)-[:HAS_FACT]->(s:Fact)
  WHERE s.type = 'student' AND s.valid_from <= $as_of AND (s.valid_to IS NULL OR s.valid_to >= $as_of)
WITH x, c, lx, count(s) > 0 AS student
WITH x, c, (lx.until IS NULL OR lx.until > $as_of) AND (c.death_date IS NULL OR c.death_date > $as_of)
           AND c.birth_date <= $as_of AND (c.birth_date > $adult_born_by OR (c.birth_date > $student_born_by AND student))
           AS dependent
OPTIONAL MATCH (o:Person)-[lo:PARENT_OF]->(c)
  WHERE o.iin <> x.iin AND (lo.until IS NULL OR lo.until > $as_of)
    AND (o.death_date IS NULL OR o.death_date > $as_of)
WITH x, c, dependent, min(o.iin) AS other_parent
OPTIONAL MATCH (g:Person)-[lg:GUARDIAN_OF]->(c)
  WHERE (lg.since IS NULL OR lg.since <= $as_of) AND (lg.until IS NULL OR lg.until > $as_of)
    AND (g.death_date IS NULL OR g.death_date > $as_of)
WITH x, c, dependent, other_parent, min(g.iin) AS guardian
WITH x, c, dependent, coalesce(other_parent, guardian) AS recipient
WITH x, recipient, count(CASE WHEN dependent THEN 1 END) AS dependants,
     collect({iin: c.iin, birth_date: c.birth_date, reason: CASE WHEN dependent THEN 'counted' ELSE 'not_dependent' END}) AS items
OPTIONAL MATCH (r:Person)-[:PARENT_OF|GUARDIAN_OF]->(:Person)<-[:PARENT_OF]-(x) WHERE r.iin = recipient
OPTIONAL MATCH (r)-[:HAS_FACT]->(b:Fact)
  WHERE b.type = 'benefit' AND b.benefit = 'breadwinner_loss'
    AND b.valid_from <= $as_of AND (b.valid_to IS NULL OR b.valid_to >= $as_of)
WITH x, recipient, dependants, items, count(b) AS receiving
RETURN recipient AS iin, x.iin AS subject, x.death_date AS event, x.death_date AS death_date,
       $died_since AS died_since, recipient, dependants, items,
       x.death_date >= $died_since AND x.death_date <= $as_of AS died_in_window,
       dependants > 0 AS has_dependants, recipient IS NOT NULL AS has_recipient, receiving = 0 AS not_receiving
