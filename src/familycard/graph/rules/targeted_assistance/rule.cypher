// targeted_assistance: every household (living persons of one address) with its members and
// its income over the 3 calendar months before $as_of's month; the eldest living adult
// (lowest IIN on a tie) is the recipient. The poverty test is the rule's `when`, in decimals.
MATCH (a:Address)<-[:LIVES_AT]-(p:Person)
WHERE (p.death_date IS NULL OR p.death_date > $as_of) AND p.birth_date <= $as_of
OPTIONAL MATCH (p)-[:HAS_FACT]->(f:Fact)
  WHERE f.type = 'income' AND f.valid_from >= $income_from AND f.valid_from < $income_until
WITH a, p, coalesce(sum(f.amount_kzt), 0) AS person_income
WITH a, count(p) AS members, sum(person_income) AS income,
     min(CASE WHEN p.birth_date <= $adult_born_by THEN p.birth_date END) AS eldest
// a pre-filter in whole tenge (income_cap = ceiling of 3 × line): the exact test is `when`.
// (`+ 0`: LadybugDB types a parameter times a count as SERIAL, which a sum cannot be compared to)
WHERE eldest IS NOT NULL AND income < $income_cap * members + 0
MATCH (a)<-[:LIVES_AT]-(r:Person)
WHERE r.birth_date = eldest AND (r.death_date IS NULL OR r.death_date > $as_of)
WITH a, members, income, min(r.iin) AS recipient
MATCH (a)<-[:LIVES_AT]-(r:Person)
WHERE r.iin = recipient
  AND NOT EXISTS {
    MATCH (r)-[:HAS_FACT]->(b:Fact)
    WHERE b.type = 'benefit' AND b.benefit = 'targeted_assistance'
      AND b.valid_from <= $as_of AND (b.valid_to IS NULL OR b.valid_to >= $as_of)
  }
RETURN r.iin AS iin, NULL AS subject, NULL AS event, members, income
