// exposure — every chain that reaches an organization: one row per contract it is the delegatee of.
// RULES.md § Audit queries. Same rows as `itaku query exposure DATASET --param org=ORG_ID`.
//
// In Neo4j Browser, set the parameters first, then run this file as it is:
//   :param dataset => 'city-resident-tax'
//   :param org => 'NNS'
//
// `path` names the principal, then the delegatee of each contract from the prime contract down
// (`path_names`, written on each contract at load time with its `depth` and `root_principal_id`).
// Only the live generation of the dataset: the one its (:Dataset) node's update_tag names.
MATCH (ds:Dataset {dataset: $dataset})
MATCH (c:Contract)-[:DELEGATEE]->(:Organization {dataset: $dataset, update_tag: ds.update_tag, org_id: $org})
RETURN c.root_principal_id AS root_principal_id, c.contract_id AS contract_id, c.depth AS depth, c.path_names AS path,
       COLLECT { UNWIND c.data_categories AS category RETURN category ORDER BY category } AS data_categories
ORDER BY root_principal_id, contract_id
