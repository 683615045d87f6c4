// unapproved-redelegations — re-delegations (depth ≥ 2) without the root principal's approval.
// RULES.md § Audit queries. Same rows as `itaku query unapproved-redelegations DATASET`.
//
// In Neo4j Browser, set the parameters first, then run this file as it is:
//   :param dataset => 'city-resident-tax'
//   :param as_of => '2026-11-01'
//
// Approved by root = an (:Approval) of the contract by the root principal with status approved,
// known on D (decided on or before D, or with no decided_date). Approvals by anyone else do not
// count. `depth`, `root_principal_id` and `path_names` (the principal, then the delegatee of each
// contract down to this one) are written on each contract at load time: no chain is walked here.
// Only the live generation of the dataset: the one its (:Dataset) node's update_tag names.
MATCH (ds:Dataset {dataset: $dataset})
WITH ds.update_tag AS live, date($as_of) AS d
MATCH (c:Contract {dataset: $dataset, update_tag: live})
WHERE c.depth >= 2 AND NOT EXISTS {
  MATCH (a:Approval)-[:APPROVES]->(c)
  WHERE a.approver_id = c.root_principal_id AND a.status = 'approved' AND (a.decided_date IS NULL OR a.decided_date <= d)
}
MATCH (c)-[:DELEGATOR]->(delegator:Organization), (c)-[:DELEGATEE]->(delegatee:Organization)
RETURN c.contract_id AS contract_id, c.depth AS depth, c.root_principal_id AS root_principal_id,
       delegator.name AS delegator, delegatee.name AS delegatee, c.path_names AS path
ORDER BY contract_id
