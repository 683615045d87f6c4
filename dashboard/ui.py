"""Small building blocks the pages share: cards, stat tiles, grids, the shell's inputs."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash_ag_grid as dag
from dash import Input, dcc, html

from . import i18n

# Every page recomputes on these (the shell's language switch, as-of date and policy).
NO_VALUE = "—"  # a grid cell with nothing to say (no finding, no value), in both languages
SHELL_INPUTS = [Input("lang", "value"), Input("as-of", "date"), Input("policy", "value")]

GRAPH_CONFIG = {"displaylogo": False, "displayModeBar": "hover", "modeBarButtonsToRemove": ["lasso2d", "select2d"]}

AG_LOCALE_JA = {
    "page": "ページ", "of": "/", "to": "〜", "more": "その他", "next": "次へ", "previous": "前へ",
    "first": "最初", "last": "最後", "noRowsToShow": "表示する行はありません", "loadingOoo": "読み込み中…",
    "filterOoo": "絞り込み…", "searchOoo": "検索…", "contains": "含む", "notContains": "含まない",
    "equals": "等しい", "notEqual": "等しくない", "startsWith": "で始まる", "endsWith": "で終わる",
    "blank": "空白", "notBlank": "空白以外", "lessThan": "より小さい", "greaterThan": "より大きい",
    "lessThanOrEqual": "以下", "greaterThanOrEqual": "以上", "inRange": "範囲", "andCondition": "かつ",
    "orCondition": "または", "applyFilter": "適用", "resetFilter": "リセット", "clearFilter": "クリア",
    "cancelFilter": "取消", "selectAll": "すべて選択", "pageSizeSelectorLabel": "表示件数:",
    "ariaPageSizeSelectorLabel": "表示件数", "ariaFilterInput": "絞り込みの入力",
}

# AG Grid's own words in English, given explicitly: the grid keeps the locale it starts with.
AG_LOCALE_EN = {
    "page": "Page", "of": "of", "to": "to", "more": "more", "next": "Next", "previous": "Previous",
    "first": "First", "last": "Last", "noRowsToShow": "No rows to show", "loadingOoo": "Loading…",
    "filterOoo": "Filter…", "searchOoo": "Search…", "contains": "Contains", "notContains": "Does not contain",
    "equals": "Equals", "notEqual": "Does not equal", "startsWith": "Begins with", "endsWith": "Ends with",
    "blank": "Blank", "notBlank": "Not blank", "lessThan": "Less than", "greaterThan": "Greater than",
    "lessThanOrEqual": "Less than or equal to", "greaterThanOrEqual": "Greater than or equal to",
    "inRange": "Between", "andCondition": "AND", "orCondition": "OR", "applyFilter": "Apply",
    "resetFilter": "Reset", "clearFilter": "Clear", "cancelFilter": "Cancel", "selectAll": "Select all",
    "pageSizeSelectorLabel": "Page size:", "ariaPageSizeSelectorLabel": "Page size",
    "ariaFilterInput": "Filter input",
}
AG_LOCALE_JA.update({"loadingError": "読み込みエラー", "ariaFilteringOperator": "絞り込みの条件",
                     "ariaPageSizeSelectorLabel": "表示件数", "ariaColumnFiltersApplied": "絞り込み中の列"})
AG_LOCALE_EN.update({"loadingError": "Loading error", "ariaFilteringOperator": "Filtering operator",
                     "ariaColumnFiltersApplied": "Column filters applied"})


def ag_locale(lang: str) -> dict[str, str]:
    return AG_LOCALE_JA if i18n.norm_lang(lang) == "ja" else AG_LOCALE_EN


def card(*children: Any, className: str = "", **props: Any) -> html.Section:
    return html.Section(list(children), className=f"card {className}".strip(), **props)


def stat(label: str, value: Any, className: str = "", sub: str | None = None) -> html.Div:
    return html.Div([html.Div(label, className="stat-label"), html.Div(value, className="stat-value"),
                     html.Div(sub, className="stat-sub") if sub else None], className=f"stat {className}".strip())


def graph(id: str, height: int | None = None) -> dcc.Graph:
    extra = {"style": {"height": f"{height}px"}} if height else {}
    return dcc.Graph(id=id, config=GRAPH_CONFIG, **extra)


# The box under each header shows the locale's "filterOoo" (絞り込み… / Filter…) as its placeholder.
FLOATING_FILTER_PARAMS = {"filterPlaceholder": True}


def grid(id: str, height: int = 520, lang: str = "ja", **kw: Any) -> dag.AgGrid:
    """An AG Grid: sortable, filterable (a text filter under each header), paginated. Cells are
    rendered as text, never HTML."""
    kw.setdefault("rowData", [])
    kw.setdefault("columnDefs", [])
    return dag.AgGrid(
        id=id,
        defaultColDef={"sortable": True, "filter": "agTextColumnFilter", "floatingFilter": True, "resizable": True,
                       "wrapText": False, "minWidth": 90, "cellDataType": False,
                       "filterParams": {"maxNumConditions": 1},
                       "floatingFilterComponentParams": FLOATING_FILTER_PARAMS, "suppressFloatingFilterButton": True},
        dashGridOptions=grid_options(lang), columnSize="responsiveSizeToFit",
        style={"height": f"{height}px", "width": "100%"}, **kw)


def grid_slot(id: str, lang: str, height: int = 520, **kw: Any) -> html.Div:
    """A grid in a slot (`{id}-slot`) whose one child is a box keyed by the language: a callback
    that returns `grid_box(...)` as the slot's children updates the grid in place while the
    language stays, and remounts it when the language changes (AG Grid reads its locale only
    when it starts)."""
    return html.Div(grid_box(id, lang, height, **kw), id=f"{id}-slot")


def grid_box(id: str, lang: str, height: int = 520, **kw: Any) -> html.Div:
    lang = i18n.norm_lang(lang)
    return html.Div(grid(id, height, lang=lang, **kw), id=f"{id}-box-{lang}")


def grid_options(lang: str) -> dict[str, Any]:
    """The grid options that change with the language (AG Grid's own words)."""
    return {"pagination": True, "paginationPageSize": 50, "paginationPageSizeSelector": [20, 50, 100, 500],
            "animateRows": False, "enableCellTextSelection": True, "ensureDomOrder": True,
            "localeText": ag_locale(lang), "tooltipShowDelay": 300}


def col(field: str, header: str, **kw: Any) -> dict[str, Any]:
    return {"field": field, "headerName": header, "headerTooltip": header, **kw}


def empty(lang: str) -> html.P:
    return html.P(i18n.t("common.empty", lang), className="empty")


def contract_href(contract_id: str, as_of: Any = None, policy: str | None = None, lang: str | None = None) -> str:
    """THE link to a contract: /chains?contract=… with the current as-of date, policy and language
    (the chains page opens on it: its path expanded, it selected, its panel open). The grids'
    ContractLink renderer (assets/dashAgGridComponentFunctions.js) builds the same address."""
    q = {"contract": contract_id}
    if as_of:
        q["as_of"] = str(as_of)[:10]
    if policy:
        q["policy"] = policy
    if lang:
        q["lang"] = lang
    return "/chains?" + urlencode(q)


def contract_link(contract_id: str, as_of: Any = None, policy: str | None = None, lang: str | None = None,
                  **props: Any) -> dcc.Link:
    return dcc.Link(contract_id, href=contract_href(contract_id, as_of, policy, lang), className="contract-link mono", **props)


def contract_col(field: str, header: str, **kw: Any) -> dict[str, Any]:
    """A grid column of contract ids, each a link to the contract on the chains page."""
    return col(field, header, cellRenderer="ContractLink", **kw)
