// targeted_assistance, for one person ($iin): their household.
MATCH (x:Person {iin: $iin})-[:LIVES_AT]->(a:Address)
MATCH (a)<-[:LIVES_AT]-(p:Person)
WHERE (p.death_date IS NULL OR p.death_date > $as_of) AND p.birth_date <= $as_of
OPTIONAL MATCH (p)-[:HAS_FACT]->(f:Fact)
  WHERE f.type = 'income' AND f.valid_from >= $income_from AND f.valid_from < $income_until
WITH a, p, coalesce(sum(f.amount_kzt), 0) AS person_income
WITH a, count(p) AS members, sum(person_income) AS income,
     min(CASE WHEN p.birth_date <= $adult_born_by THEN p.birth_date END) AS eldest,
     collect({iin: p.iin, birth_date: p.birth_date, income: person_income, reason: 'member'}) AS items
OPTIONAL MATCH (a)<-[:LIVES_AT]-(r:Person)
  WHERE r.birth_date = eldest AND (r.death_date IS NULL OR r.death_date > $as_of)
WITH a, members, income, items, min(r.iin) AS recipient
OPTIONAL MATCH (a)<-[:LIVES_AT]-(r:Person) WHERE r.iin = recipient
OPTIONAL MATCH (r)-[:HAS_FACT]->(b:Fact)
  WHERE b.type = 'benefit' AND b.benefit = 'targeted_assistance'
    AND b.valid_from <= $as_of AND (b.valid_to IS NULL OR b.valid_to >= $as_of)
WITH a, members, income, items, recipient, count(b) AS receiving
RETURN recipient AS iin, NULL AS subject, NULL AS event, members, income, items, recipient,
       a.id AS address_id, $income_from AS income_from, $income_to AS income_to,
       members > 0 AS has_household, recipient IS NOT NULL AS is_eldest_adult,
       receiving = 0 AS not_receiving
