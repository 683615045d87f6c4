"""Checklist templates: one YAML file per template in `checklists/templates/`, validated by pydantic.

Every item quotes its source document (`/work/shared/seeds/`, see the seeds' README) — the 項目
(`text`), the 判断基準 (`criteria`) and the source's own remarks (`remarks`) are the exact words
of the source, whitespace aside; `label` and `cites` say where they come from.

Item numbers (`item`, what `checklist_items.item` holds) follow the source's own numbering in
ASCII digits, so that item "17" of `nerima-mynumber` is 第17条 and item "5" of `kuki-post` is ⑤:

| template | source numbering | item |
|---|---|---|
| jica-35 | 様式3-1 No.1〜35 | "1" … "35" |
| kuki-pre, kuki-post | ①〜⑨ | "1" … "9" |
| mic-12 | ①〜⑫ | "1" … "12" |
| nerima-mynumber | 第3条〜第26条 | "3" … "26" |
| nict-31 | 31(1)一〜六, 31(2)一〜四 | "1-1" … "1-6", "2-1" … "2-4" |
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from loaders.vocab import InspectionMethod, InspectionTiming

TEMPLATE_DIR = Path(__file__).with_name("templates")
TEMPLATE_ID = r"^[a-z0-9][a-z0-9-]*$"

Str = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class TemplateError(Exception):
    """Unknown template, or a template file that does not validate."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bilingual(_Strict):
    ja: Str
    en: Str


def join_passages(passages: list[str] | tuple[str, ...]) -> str:
    """Quoted passages as one cell, one per line — except that a passage ending in 「、」 (a
    sentence the source broke across a page) runs on into the next."""
    out = ""
    for p in passages:
        out += ("" if not out or out.endswith("、") else "\n") + p
    return out


class Item(_Strict):
    item: Annotated[str, StringConstraints(pattern=r"^[0-9]+(-[0-9]+)?$")]  # checklist_items.item
    label: Str  # the source's own numbering: No.1, ①, 第3条, 31(1)一
    category: Str | None = None  # 分類 / the heading the item stands under
    text: Str  # 項目, quoted
    criteria: tuple[Str, ...] = ()  # 判断基準, quoted passages
    remarks: tuple[Str, ...] = ()  # the source's 備考 for the item, quoted passages
    cites: Str  # as RULES.md cites: "jica No.9", "nerima 17", "kuki ③"

    @property
    def criteria_text(self) -> str:
        return join_passages(self.criteria)

    @property
    def guidance(self) -> str:
        """判断基準 and 備考 of the source, as one cell."""
        parts = [self.criteria_text] if self.criteria else []
        if self.remarks:
            parts.append(join_passages(self.remarks))
        return "\n".join(parts)


class Template(_Strict):
    id: Annotated[str, StringConstraints(pattern=TEMPLATE_ID)]
    version: Annotated[int, Field(ge=1)]
    title: Bilingual  # the name of the form in its source, and in English
    source: Literal["nict", "jica", "nerima", "kuki", "mic"]
    seed: Str  # file name in the seeds folder
    document: Str  # issuer and subject of the source document
    scope: Bilingual  # which part of the source the items cover
    timing: InspectionTiming = InspectionTiming.periodic  # default timing of an inspection made with it
    method: InspectionMethod = InspectionMethod.written  # default method (editable in the workbook)
    instructions: Bilingual
    items: Annotated[tuple[Item, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique_items(self) -> "Template":
        seen: set[str] = set()
        for it in self.items:
            if it.item in seen:
                raise ValueError(f"duplicate item {it.item!r}")
            seen.add(it.item)
        return self

    @property
    def item(self) -> dict[str, Item]:
        return {it.item: it for it in self.items}


def _read(path: Path) -> Template:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        template = Template.model_validate(data)
    except (OSError, yaml.YAMLError) as exc:
        raise TemplateError(f"{path.name}: cannot read: {exc}") from None
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(map(str, first["loc"]))
        raise TemplateError(f"{path.name}: {where}: {first['msg']}") from None
    if template.id != path.stem:
        raise TemplateError(f"{path.name}: id {template.id!r} does not match the file name")
    return template


@lru_cache(maxsize=None)
def load_templates(folder: Path = TEMPLATE_DIR) -> dict[str, Template]:
    """Every template of the folder, by id, sorted."""
    return {t.id: t for t in sorted((_read(p) for p in folder.glob("*.yaml")), key=lambda t: t.id)}


def get_template(template_id: str) -> Template:
    templates = load_templates()
    if template_id not in templates:
        raise TemplateError(f"unknown checklist template {template_id!r} (known: {', '.join(templates)})")
    return templates[template_id]
