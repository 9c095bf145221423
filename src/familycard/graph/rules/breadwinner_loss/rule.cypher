// breadwinner_loss: a parent who died in the 365 days up to and including $as_of, and the
// dependent children they leave; each child's recipient is the living other parent, else the
// lowest-IIN living guardian. One row per (recipient, deceased), counting the dependants.
MATCH (x:Person)-[lx:PARENT_OF]->(c:Person)
WHERE x.death_date >= $died_since AND x.death_date <= $as_of
  AND (lx.until IS NULL OR lx.until > $as_of)
  AND (c.death_date IS NULL OR c.death_date > $as_of) AND c.birth_date <= $as_of
  AND (c.birth_date > $adult_born_by OR (c.birth_date > $student_born_by AND EXISTS {
        MATCH (c)-[:HAS_FACT]->(s:Fact)
        WHERE s.type = 'student' AND s.valid_from <= $as_of AND (s.valid_to IS NULL OR s.valid_to >= $as_of) }))
OPTIONAL MATCH (o:Person)-[lo:PARENT_OF]->(c)
  WHERE o.iin <> x.iin AND (lo.until IS NULL OR lo.until > $as_of)
    AND (o.death_date IS NULL OR o.death_date > $as_of)
WITH x, c, min(o.iin) AS other_parent
OPTIONAL MATCH (g:Person)-[lg:GUARDIAN_OF]->(c)
  WHERE (lg.since IS NULL OR lg.since <= $as_of) AND (lg.until IS NULL OR lg.until > $as_of)
    AND (g.death_date IS NULL OR g.death_date > $as_of)
WITH x, c, other_parent, min(g.iin) AS guardian
WITH x, c, coalesce(other_parent, guardian) AS recipient
WHERE recipient IS NOT NULL
MATCH (r:Person)-[:PARENT_OF|GUARDIAN_OF]->(c)
WHERE r.iin = recipient
WITH DISTINCT x, r, c
WITH x, r, count(c) AS dependants
WHERE NOT EXISTS {
    MATCH (r)-[:HAS_FACT]->(b:Fact)
    WHERE b.type = 'benefit' AND b.benefit = 'breadwinner_loss'
      AND b.valid_from <= $as_of AND (b.valid_to IS NULL OR b.valid_to >= $as_of)
  }
RETURN r.iin AS iin, x.iin AS subject, x.death_date AS event, dependants
