// concentration — shared subcontractors: for each organization that is a delegatee somewhere,
// how many principals and chains (prime contracts) reach it, and how many of those chains carry
// My Number data (特定個人情報) down to it.
// RULES.md § Audit queries. Same rows as `itaku query concentration DATASET`.
//
// In Neo4j Browser, set the parameter first, then run this file as it is:
//   :param dataset => 'city-resident-tax'
// Only the live generation of the dataset: the one its (:Dataset) node's update_tag names.
MATCH (ds:Dataset {dataset: $dataset})
WITH ds.update_tag AS live
// Each contract's chain (`prime_contract_id`) and root principal (`root_principal_id`) are
// written on it at load time: counted per delegatee, no chain is walked.
MATCH (c:Contract {dataset: $dataset, update_tag: live})
WITH live, c.delegatee_id AS org_id, count(DISTINCT c.root_principal_id) AS principals,
     count(DISTINCT c.prime_contract_id) AS chains,
     count(DISTINCT CASE WHEN 'my_number' IN c.data_categories THEN c.prime_contract_id END) AS my_number_chains
MATCH (o:Organization {dataset: $dataset, update_tag: live, org_id: org_id})
RETURN org_id, o.name AS name, principals, chains, my_number_chains
ORDER BY org_id
