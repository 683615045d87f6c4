"""The inspection schedule as an iCalendar file (RFC 5545, through `icalendar`): one all-day event
per due inspection, so a principal imports next year's inspections into Outlook or Google Calendar."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from icalendar import Calendar, Event

import itaku
from loaders.model import Dataset
from loaders.vocab import level_label

KIND = {"periodic": {"ja": "定期検査", "en": "periodic inspection"},
        "on-site": {"ja": "実地検査", "en": "on-site inspection"}}


def chain(ds: Dataset, contract_id: str) -> list[str]:
    """Principal → contractor → … → this contract's delegatee, by name."""
    names, c = [], ds.contract[contract_id]
    while c is not None:
        names.append(ds.org_name(c.delegatee_id))
        top = c
        c = ds.contract.get(c.parent_contract_id) if c.parent_contract_id else None
    return [ds.org_name(top.delegator_id), *reversed(names)]


def schedule_calendar(rows: list[dict], ds: Dataset, as_of: date, lang: str = "ja") -> bytes:
    """`rows` as `itaku query inspection-schedule` returns them."""
    ja = lang == "ja"
    cal = Calendar()
    cal.add("prodid", f"-//Itaku {itaku.__version__}//inspection-schedule//{lang.upper()}")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{'検査予定' if ja else 'Inspection schedule'} — {ds.name} ({as_of.isoformat()})")
    stamp = datetime.combine(as_of, time(0, 0), tzinfo=timezone.utc)  # reproducible: the as-of date
    for r in rows:
        c = ds.contract[r["contract_id"]]
        due = date.fromisoformat(r["next_due"])
        level = level_label(r["depth"])[lang]
        kind = KIND.get(r["kind"], {"ja": r["kind"], "en": r["kind"]})[lang]
        overdue = (" 【期限超過】" if ja else " [OVERDUE]") if r["overdue"] else ""
        lines = [f"{'契約' if ja else 'Contract'}: {c.contract_id} {c.title or ''}".rstrip(),
                 f"{'階層' if ja else 'Level'}: {level}",
                 f"{'委託先' if ja else 'Delegatee'}: {r['delegatee']}",
                 f"{'チェーン' if ja else 'Chain'}: {' → '.join(chain(ds, c.contract_id))}",
                 f"{'種別' if ja else 'Kind'}: {kind}",
                 f"{'期限' if ja else 'Due'}: {due.isoformat()}{overdue}"]
        ev = Event()
        ev.add("uid", f"{c.contract_id}-{r['kind']}-{due.isoformat()}@itaku.{ds.name}")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", due)
        ev.add("dtend", due + timedelta(days=1))
        ev.add("summary", f"{kind}{overdue}: {c.contract_id} {r['delegatee']}（{level}）" if ja else
               f"{kind}{overdue}: {c.contract_id} {r['delegatee']} ({level})")
        ev.add("description", "\n".join(lines))
        ev.add("categories", ["Itaku", level])
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)
    return cal.to_ical()
