// inspection-schedule — each contract's next inspection due date, its kind and whether it is overdue.
// RULES.md § Audit queries. Same rows as `itaku query inspection-schedule DATASET`.
//
// In Neo4j Browser, set the parameters first, then run this file as it is:
//   :param dataset => 'ward-designated-managers'
//   :param as_of => '2026-11-01'
//
// periodic: due over the qualifying inspections (not pre-contract, dated ≤ D) with M = the
// inspection interval of the packs in force: start + M capped at the end with none yet, else
// last + M (none once that is after the end). on-site, when a pack requires it: every on-site
// interval over the on-site inspections, and/or once within the term (due = end date until one is
// done). The earlier due date wins (on-site on a tie); contracts with no due date are left out.
//
// The due date changes only on the days a qualifying inspection is dated, so each contract's
// `schedule` is written at load time (graph/store/asof.py): one text per step, by date,
// 'FROM DUE KIND' ('2026-04-01 2026-10-01 periodic'): from day FROM (0001-01-01 for the first
// step) the next due date is DUE, of kind KIND; just 'FROM' when there is none from that day.
// The step of D is the last one whose FROM is D or before (ISO dates compare as text).
// `scheduled_until` (load time too) is the day from which a contract has no due date any more
// (9999-12-31 if never): only the contracts with one after D are read (an index seek).
// `depth`, `root_principal_id` and `path_names` (its last: the delegatee's name) are written on
// each contract at load time too (no chain is walked).
// Only the live generation of the dataset: the one its (:Dataset) node's update_tag names.
MATCH (ds:Dataset {dataset: $dataset})
WITH ds.update_tag AS live, toString(date($as_of)) AS d
MATCH (c:Contract {dataset: $dataset, update_tag: live})
WHERE c.scheduled_until > date(d)
WITH d, c, [step IN c.schedule WHERE left(step, 10) <= d][-1] AS step
WHERE size(step) > 10
WITH d, c, substring(step, 11, 10) AS due, substring(step, 22) AS kind
RETURN c.contract_id AS contract_id, due AS next_due, kind, d > due AS overdue, c.depth AS depth,
       c.root_principal_id AS root_principal_id, c.path_names[-1] AS delegatee
ORDER BY contract_id
