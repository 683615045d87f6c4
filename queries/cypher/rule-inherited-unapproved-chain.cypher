// rule inherited-unapproved-chain (high) — the contracts the rule fires on, as Cypher.
// RULES.md § Approval: depth ≥ 3 and an ancestor at depth ≥ 2 lacks the root principal's
// approval (unapproved-redelegation). `nearest` is the nearest such ancestor (details.nearest).
//
// In Neo4j Browser:
//   :param dataset => 'city-resident-tax'
//   :param as_of => '2026-11-01'
// Only the live generation of the dataset: the one its (:Dataset) node's update_tag names.
MATCH (ds:Dataset {dataset: $dataset})
WITH ds.update_tag AS live, date($as_of) AS d
MATCH chain = (c:Contract {dataset: $dataset, update_tag: live})-[:SUBCONTRACT_OF*2..]->(prime:Contract)
WHERE NOT (prime)-[:SUBCONTRACT_OF]->()
MATCH (prime)-[:DELEGATOR]->(root:Organization)
// the ancestors at depth ≥ 2, nearest first (the prime contract, depth 1, left out)
WITH d, c, root, nodes(chain)[1..-1] AS above
WITH c, [a IN above WHERE NOT EXISTS {
  MATCH (ap:Approval)-[:APPROVES]->(a)
  WHERE ap.approver_id = root.org_id AND ap.status = 'approved' AND (ap.decided_date IS NULL OR ap.decided_date <= d)
}] AS unapproved
WHERE size(unapproved) > 0
RETURN c.contract_id AS contract_id, unapproved[0].contract_id AS nearest
ORDER BY contract_id
