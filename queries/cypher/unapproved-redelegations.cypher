// unapproved-redelegations — re-delegations (depth ≥ 2) without the root principal's approval.
// RULES.md § Audit queries. Same rows as `itaku query unapproved-redelegations DATASET`.
//
// In Neo4j Browser, set the parameters first, then run this file as it is:
//   :param dataset => 'city-resident-tax'
//   :param as_of => '2026-11-01'
//
// Approved by root = an (:Approval) of the contract by the root principal with status approved,
// known on D (decided on or before D, or with no decided_date). Approvals by anyone else do not
// count. `path` names the principal, then the delegatee of each contract down to this one.
// Only the live generation of the dataset: the one its (:Dataset) node's update_tag names.
MATCH (ds:Dataset {dataset: $dataset})
WITH ds.update_tag AS live, date($as_of) AS d
MATCH chain = (c:Contract {dataset: $dataset, update_tag: live})-[:SUBCONTRACT_OF*1..]->(prime:Contract)
WHERE NOT (prime)-[:SUBCONTRACT_OF]->()
MATCH (prime)-[:DELEGATOR]->(root:Organization)
WHERE NOT EXISTS {
  MATCH (a:Approval)-[:APPROVES]->(c)
  WHERE a.approver_id = root.org_id AND a.status = 'approved' AND (a.decided_date IS NULL OR a.decided_date <= d)
}
MATCH (c)-[:DELEGATOR]->(delegator:Organization), (c)-[:DELEGATEE]->(delegatee:Organization)
RETURN c.contract_id AS contract_id, length(chain) + 1 AS depth, root.org_id AS root_principal_id,
       delegator.name AS delegator, delegatee.name AS delegatee,
       [root.name] + [k IN reverse(nodes(chain)) | [(k)-[:DELEGATEE]->(o:Organization) | o.name][0]] AS path
ORDER BY contract_id
