// rule unapproved-redelegation (critical) — the contracts the rule fires on, as Cypher.
// RULES.md § Approval: depth ≥ 2 and not approved by the root principal (status approved,
// decided on or before D or undated); an approval by anyone else does not count.
//
// In Neo4j Browser:
//   :param dataset => 'city-resident-tax'
//   :param as_of => '2026-11-01'
// Only the live generation of the dataset: the one its (:Dataset) node's update_tag names.
MATCH (ds:Dataset {dataset: $dataset})
WITH ds.update_tag AS live, date($as_of) AS d
MATCH (c:Contract {dataset: $dataset, update_tag: live})-[:SUBCONTRACT_OF*1..]->(prime:Contract)
WHERE NOT (prime)-[:SUBCONTRACT_OF]->()
MATCH (prime)-[:DELEGATOR]->(root:Organization)
WHERE NOT EXISTS {
  MATCH (a:Approval)-[:APPROVES]->(c)
  WHERE a.approver_id = root.org_id AND a.status = 'approved' AND (a.decided_date IS NULL OR a.decided_date <= d)
}
RETURN c.contract_id AS contract_id
ORDER BY contract_id
