// inspection-schedule — each contract's next inspection due date, its kind and whether it is overdue.
// RULES.md § Audit queries. Same rows as `itaku query inspection-schedule DATASET`.
//
// In Neo4j Browser, set the parameters first, then run this file as it is:
//   :param dataset => 'ward-designated-managers'
//   :param as_of => '2026-11-01'
//
// periodic: due over the qualifying inspections (not pre-contract, dated ≤ D) with M =
// `interval_months`: start + M capped at the end with none yet, else last + M (none once that
// is after the end). on-site, when a pack requires it (load-time properties): every
// `onsite_interval_months` over the on-site inspections, and/or once within the term
// (`onsite_within_term`: due = end date until one is done). The earlier due date wins (on-site
// on a tie); contracts with no due date are left out. `depth` and `root_principal_id` are
// written on each contract at load time (no chain is walked).
// Only the live generation of the dataset: the one its (:Dataset) node's update_tag names.
MATCH (ds:Dataset {dataset: $dataset})
WITH ds.update_tag AS live, date($as_of) AS d
MATCH (c:Contract {dataset: $dataset, update_tag: live})
OPTIONAL MATCH (i:Inspection)-[:INSPECTS]->(c)
WHERE i.date <= d AND i.timing <> 'pre_contract'
WITH d, c, max(i.date) AS last,
     max(CASE WHEN i.method = 'on_site' THEN i.date END) AS last_onsite
WITH d, c, last, last_onsite, duration({months: c.interval_months}) AS m,
     CASE WHEN c.onsite_interval_months IS NULL THEN null
          ELSE duration({months: c.onsite_interval_months}) END AS om
WITH d, c,
     CASE WHEN last IS NULL THEN CASE WHEN c.start_date + m < c.end_date THEN c.start_date + m ELSE c.end_date END
          WHEN last + m > c.end_date THEN null
          ELSE last + m END AS periodic,
     CASE WHEN om IS NULL THEN null
          WHEN last_onsite IS NULL THEN CASE WHEN c.start_date + om < c.end_date THEN c.start_date + om ELSE c.end_date END
          WHEN last_onsite + om > c.end_date THEN null
          ELSE last_onsite + om END AS onsite_every,
     CASE WHEN c.onsite_within_term AND last_onsite IS NULL THEN c.end_date END AS onsite_in_term
WITH d, c, periodic,
     CASE WHEN onsite_every IS NULL THEN onsite_in_term
          WHEN onsite_in_term IS NULL OR onsite_every <= onsite_in_term THEN onsite_every
          ELSE onsite_in_term END AS onsite
WHERE periodic IS NOT NULL OR onsite IS NOT NULL
WITH d, c, onsite IS NOT NULL AND (periodic IS NULL OR onsite <= periodic) AS on_site,
     periodic, onsite
WITH d, c, CASE WHEN on_site THEN onsite ELSE periodic END AS due,
     CASE WHEN on_site THEN 'on-site' ELSE 'periodic' END AS kind
MATCH (c)-[:DELEGATEE]->(delegatee:Organization)
RETURN c.contract_id AS contract_id, toString(due) AS next_due, kind, d > due AS overdue, c.depth AS depth,
       c.root_principal_id AS root_principal_id, delegatee.name AS delegatee
ORDER BY contract_id
