"""The Dash app: a thin shell (header, as-of date, policy, language) around the pages in
dashboard/pages, plus security: login, security headers and a content-security policy.

    app = create_app("examples/city-resident-tax")          # or a Source, or a Dataset
    app.run(host="127.0.0.1", port=8050)                    # `itaku serve` does this
    server = app.server                                      # gunicorn: itaku.wsgi:server

Page modules define `layout(lang=…, **_)` and `register(app, state)`; the pages' figure and data
logic lives in analysis/ (the analysis itself) and dashboard/data.py, figures.py and tree.py.
"""
from __future__ import annotations

import base64
import binascii
import hmac
import sys
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import dash
import flask
from dash import ALL, Dash, Input, Output, State, dcc, html, no_update

from analysis import POLICY_DATA, Analysis, Analyzer, Source
from graph.rules import PackLibrary

from . import i18n
from .data import as_source, is_bundled_example, parse_day
from .i18n import t
from .tree import CAP

PAGES_DIR = Path(__file__).with_name("pages")
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
LANG_COOKIE = "itaku_lang"
_COMPARISONS_LOCK = threading.Lock()
PAGES = (("overview", "/"), ("chains", "/chains"), ("levels", "/levels"), ("findings", "/findings"),
         ("organisations", "/organisations"), ("schedule", "/schedule"))

INDEX = """<!DOCTYPE html>
<html lang="ja">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


@dataclass
class AppState:
    """What every page's callbacks share: the cached analyses and the defaults."""

    analyzer: Analyzer
    default_as_of: date
    default_policy: str
    cap: int = CAP
    baseline: Analyzer | None = None  # `itaku serve --baseline`: the dataset compare mode compares with
    warmers: list = field(default_factory=list)  # the pages' warm(a, lang) (warm_views)

    def analysis(self, as_of: Any = None, policy: str | None = None) -> Analysis:
        a = self.analyzer.get(parse_day(as_of, self.default_as_of), policy or self.default_policy)
        if "_views_warming" not in a.__dict__:  # a new analysis: what the pages look up, made meanwhile
            a.__dict__["_views_warming"] = True
            warm_behind(self, a)
        return a

    def comparing(self, compare: Any = None) -> bool:
        """Compare mode is on: a baseline dataset, or a "compare with" date."""
        return self.baseline is not None or parse_day(compare, None) is not None

    def comparison(self, as_of: Any = None, policy: str | None = None, compare: Any = None):
        """The analysis on screen compared with the baseline (dashboard.compare.Comparison): the baseline
        dataset, or this dataset, at the "compare with" date (default: the same as-of date); None when
        compare mode is off. The last few are kept."""
        from .compare import compare as compare_with

        after = self.analysis(as_of, policy)
        day = parse_day(compare, None)
        if self.baseline is None and day is None:
            return None
        analyzer = self.baseline or self.analyzer
        before = analyzer.get(day or after.as_of, after.policy)
        key = (before.as_of, after.as_of, after.policy)
        with _COMPARISONS_LOCK:
            cache = self.__dict__.setdefault("_comparisons", {})
            hit = cache.get(key)
            if hit is None or hit.before is not before or hit.after is not after:  # (an analysis recomputed)
                cache[key] = hit = compare_with(before, after, analyzer.source.name)
                while len(cache) > 8:
                    cache.pop(next(iter(cache)))
            return hit

    @property
    def source(self) -> Source:
        return self.analyzer.source


def T(key: str, lang: str, n: int | None = None, tag: type = html.Span, **props: Any):
    """A label that follows the language switch: `{"type": "i18n", "key": key}` ids are
    re-rendered by one shell callback. `n` tells apart two uses of one key on a page."""
    id_ = {"type": "i18n", "key": key} if n is None else {"type": "i18n", "key": key, "n": n}
    return tag(t(key, lang), id=id_, **props)


def current_lang() -> str:
    try:
        return i18n.norm_lang(flask.request.cookies.get(LANG_COOKIE))
    except RuntimeError:  # outside a request
        return i18n.DEFAULT_LANG


def create_app(source: Source | Any = None, *, as_of: date | None = None, policy: str = POLICY_DATA,
               library: PackLibrary | None = None, credentials: tuple[str, str] | None = None,
               cap: int = CAP, cache_size: int = 8, warm: bool = True, suppressions: tuple = (),
               baseline: Source | Any = None) -> Dash:
    """The dashboard for `source` (a Source, a dataset path, a Dataset; None: the bundled example).

    `credentials` (user, password) turns on HTTP Basic login for every route. The dataset is
    read here, so bad input fails before the server starts (loaders.DatasetError); with `warm`
    the analysis of the default as-of date and policy is computed here too. `baseline` (a Source or a
    dataset path, read here too) turns compare mode on: findings new, worsened, resolved since it."""
    src = as_source(source)
    analyzer = Analyzer(src, library, cache_size, suppressions)  # suppressions: accepted gaps (--ignore-file)
    default_as_of = as_of or _default_as_of(src)
    base = Analyzer(as_source(baseline), analyzer.library, cache_size, suppressions) if baseline is not None else None
    state = AppState(analyzer, default_as_of, policy if policy in analyzer.policies() else POLICY_DATA, cap, base)
    src.dataset()  # fail early on bad input
    if base is not None:
        base.source.dataset()
    first = analyzer.get(default_as_of, state.default_policy).warm() if warm else None
    # (warm: the first visitor's analysis, the default as-of and policy, is then ready)

    app = Dash("dashboard", use_pages=True, pages_folder=str(PAGES_DIR), title="Itaku",
               update_title=None, suppress_callback_exceptions=True, serve_locally=True,
               index_string=INDEX, routing_callback_inputs={"lang": State("lang", "value")},
               meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}])
    app.layout = lambda: shell(state, *url_settings(state), compare=url_compare())
    _register_shell(app, state)
    for page in list(dash.page_registry.values()):
        module = sys.modules.get(page["module"])
        if module is not None and hasattr(module, "register"):
            module.register(app, state)
        if module is not None and hasattr(module, "warm"):
            state.warmers.append(module.warm)
    if first is not None:  # and the first page's views in the default language; the others' when asked for
        for page in dash.page_registry.values():
            module = sys.modules.get(page["module"])
            if page["path"] == "/" and hasattr(module, "warm"):
                module.warm(first, i18n.DEFAULT_LANG)
        first.__dict__["_views_warming"] = True
        warm_behind(state, first)
    app.server.extensions["itaku"] = state
    guard(app, state, credentials)
    organizations_redirect(app)
    secure(app)
    return app


WARM_BEHIND = 200_000  # contracts: up to this size, every page's views are made beside the first callbacks


def warm_behind(state: AppState, a: Analysis) -> None:
    """Every page's views of analysis `a` in a thread beside the callbacks, on a dataset of at most
    WARM_BEHIND contracts; a larger one's are made when their page is first asked for (at a million
    contracts, the findings grid's table alone holds every finding, as rows, in each language)."""
    if len(a.ds.contracts) <= WARM_BEHIND:
        threading.Thread(target=warm_views, args=(state, a, i18n.LANGS), daemon=True, name="itaku-warm").start()


def warm_views(state: AppState, a: Analysis, langs) -> None:
    """Make what the pages' callbacks look up for analysis `a` (dashboard.data.memo, the findings
    grid's table, indexes and export cells, each page's `warm(a, lang)`), so that a callback is a
    lookup, not a pass over every contract or finding. Safe beside the callbacks: each piece is
    made once."""
    from . import data, exports, gaps, grid

    data.counts(a), data.rule_counts(a), gaps.family_by_level(a), gaps.level_rule_matrix(a)
    gaps.max_depth(a), data.org_options(a), data.delegatee_index(a)
    for lang in langs:
        for page_warm in state.warmers:
            page_warm(a, lang)
        tbl = grid.warm(grid.table(a, lang))
        exports.rows_ready(tbl, lang)


def _default_as_of(src: Source) -> date:
    """The bundled examples are written as of settings.EXAMPLES_AS_OF; anything else: today."""
    from itaku import settings

    return settings.EXAMPLES_AS_OF if is_bundled_example(src) else date.today()


def policy_options(state: AppState, lang: str) -> list[dict[str, str]]:
    lib = state.analyzer.library
    out = [{"label": t("app.policy_data", lang), "value": POLICY_DATA}]
    for pid in lib.ids():
        title = lib.raw[pid].title.get(i18n.norm_lang(lang), "")
        out.append({"label": f"{pid} — {title}" if title else pid, "value": pid})
    return out


def url_settings(state: AppState) -> tuple[str, date, str]:
    """The language, as-of date and policy a page load asks for (`?lang=en&as_of=…&policy=…`, as
    the chains page writes them, so a bookmark or a shared link opens as it was), else the
    language cookie and the defaults."""
    try:
        args = flask.request.args
    except RuntimeError:  # outside a request
        return current_lang(), state.default_as_of, state.default_policy
    lang = i18n.norm_lang(args["lang"]) if args.get("lang") else current_lang()
    policy = args.get("policy") if args.get("policy") in state.analyzer.policies() else state.default_policy
    return lang, parse_day(args.get("as_of"), state.default_as_of), policy


def url_values(state: AppState, search: str | None) -> dict[str, str]:
    """The shell's settings a query string holds, valid ones only (as_of, policy, compare, lang)."""
    from urllib.parse import parse_qs

    q = {k: v[-1] for k, v in parse_qs((search or "").lstrip("?")).items() if v}
    out: dict[str, str] = {}
    for k in ("as_of", "compare"):
        day = parse_day(q.get(k), None)
        if day is not None:
            out[k] = day.isoformat()
    if q.get("policy") in state.analyzer.policies():
        out["policy"] = q["policy"]
    if q.get("lang") in i18n.LANGS:
        out["lang"] = q["lang"]
    return out


def url_compare() -> str | None:
    """The "compare with" date a page load asks for (`?compare=YYYY-MM-DD`), or None."""
    try:
        day = parse_day(flask.request.args.get("compare"), None)
    except RuntimeError:  # outside a request
        return None
    return day.isoformat() if day else None


def compare_control(state: AppState, lang: str, compare: str | None) -> html.Div:
    """The "compare with" date (clearable; empty: no compare mode, or with a baseline dataset the
    baseline at the same as-of date), and the baseline's name when there is one."""
    key = "compare.with_date" if state.baseline is None else "compare.baseline_date"
    return html.Div(className="control control-compare", children=[
        T(key, lang, tag=html.Label, htmlFor="compare"),
        html.Div(className="compare-row", children=[
            dcc.DatePickerSingle(id="compare", date=compare, display_format="YYYY-MM-DD", first_day_of_week=1,
                                 clearable=True, placeholder=t("compare.placeholder" if state.baseline is None
                                                               else "compare.same_date", lang)),
            html.Span([T("compare.baseline", lang), html.Span(": "), html.Span(state.baseline.source.name, id="baseline-name")],
                      className="baseline-name") if state.baseline is not None else None,
        ]),
    ])


def shell(state: AppState, lang: str, as_of: date | None = None, policy: str | None = None,
          compare: str | None = None) -> html.Div:
    nav = [dcc.Link(T(f"nav.{name}", lang), href=path, id=f"nav-{name}", className="nav-link")
           for name, path in PAGES]
    return html.Div(className="app", children=[
        dcc.Location(id="url"), dcc.Store(id="url-applied", data=False),
        html.Header(className="topbar", children=[
            html.Div(className="brand", children=[
                T("app.title", lang, tag=html.Div, className="brand-title"),
                html.Div([T("app.subtitle", lang), html.Span(" · "), T("app.dataset", lang), html.Span(": "),
                          html.Span(state.source.name, id="dataset-name")], className="brand-sub"),
            ]),
            html.Div(className="controls", children=[
                compare_control(state, lang, compare),  # first: the as-of date keeps its place
                html.Div(className="control", children=[
                    T("app.as_of", lang, tag=html.Label, htmlFor="as-of"),
                    dcc.DatePickerSingle(id="as-of", date=(as_of or state.default_as_of).isoformat(),
                                         display_format="YYYY-MM-DD", first_day_of_week=1, clearable=False),
                ]),
                html.Div(className="control control-policy", children=[
                    T("app.policy", lang, tag=html.Label, htmlFor="policy"),
                    dcc.Dropdown(id="policy", options=policy_options(state, lang), value=policy or state.default_policy,
                                 clearable=False, searchable=False),
                ]),
                html.Div(className="control", children=[
                    T("app.language", lang, tag=html.Label),
                    dcc.RadioItems(id="lang", value=lang, inline=True, className="lang-switch",
                                   options=[{"label": "日本語", "value": "ja"}, {"label": "English", "value": "en"}]),
                ]),
            ]),
        ]),
        html.Nav(nav, className="nav"),
        html.Main(dash.page_container, className="page"),
    ])


def _register_shell(app: Dash, state: AppState) -> None:
    @app.callback(Output({"type": "i18n", "key": ALL, "n": ALL}, "children"),
                  Input("lang", "value"), State({"type": "i18n", "key": ALL, "n": ALL}, "id"))
    def relabel_numbered(lang, ids):
        return [t(i["key"], lang) for i in ids]

    @app.callback(Output({"type": "i18n", "key": ALL}, "children"),
                  Input("lang", "value"), State({"type": "i18n", "key": ALL}, "id"))
    def relabel(lang, ids):
        lang = i18n.norm_lang(lang)
        response = dash.callback_context.response
        if response is not None:
            response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, httponly=True, samesite="Lax")
        return [t(i["key"], lang) for i in ids]

    @app.callback(Output("as-of", "date"), Output("policy", "value"), Output("compare", "date"), Output("lang", "value"),
                  Output("url-applied", "data"), Input("url", "search"), State("url-applied", "data"),
                  State("as-of", "date"), State("policy", "value"), State("compare", "date"), State("lang", "value"))
    def from_url(search, applied, as_of, policy, compare, lang):
        """On page load, the shell's controls as the address asks (`?as_of=…&policy=…&compare=…&lang=…`):
        the layout itself is fetched without the page's query string, so a bookmark needs this."""
        if applied:  # Back/Forward or a link: follow what the address says and differs, leave the rest
            got = url_values(state, search)
            now = {"as_of": str(as_of or "")[:10], "policy": policy, "compare": str(compare or "")[:10], "lang": lang}
            return tuple(got[k] if k in got and got[k] != now[k] else no_update
                         for k in ("as_of", "policy", "compare", "lang")) + (no_update,)
        # Every value is set, changed or not: a no_update here would hold back the pages' first calls.
        want = {"as_of": as_of, "policy": policy, "compare": compare, "lang": lang, **url_values(state, search)}
        return tuple(want[k] for k in ("as_of", "policy", "compare", "lang")) + (True,)

    @app.callback(Output("compare", "placeholder"), Input("lang", "value"))
    def compare_placeholder(lang):
        return t("compare.placeholder" if state.baseline is None else "compare.same_date", lang)

    @app.callback(Output("policy", "options"), Input("lang", "value"))
    def policies(lang):
        return policy_options(state, lang)

    @app.callback([Output(f"nav-{name}", "className") for name, _ in PAGES], Input("url", "pathname"))
    def active(pathname):
        pathname = (pathname or "/").rstrip("/") or "/"
        return ["nav-link active" if pathname == path else "nav-link" for _, path in PAGES]


# ---- security ----------------------------------------------------------------------------------
def login_check(user: str, password: str):
    """(is_authorized, login_request) for HTTP Basic login, compared in constant time; a malformed header is
    a 401; nothing about the credentials is ever logged."""
    expected_user, expected_password = user.encode("utf-8"), password.encode("utf-8")

    def is_authorized() -> bool:
        scheme, _, value = flask.request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            given = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return False
        given_user, sep, given_password = given.partition(":")
        ok_user = hmac.compare_digest(given_user.encode("utf-8"), expected_user)
        ok_password = hmac.compare_digest(given_password.encode("utf-8"), expected_password)
        return bool(sep) and ok_user and ok_password

    def login_request() -> flask.Response:
        return flask.Response("Login required / ログインが必要です\n", status=401, mimetype="text/plain",
                              headers={"WWW-Authenticate": 'Basic realm="Itaku", charset="UTF-8"'})

    return is_authorized, login_request


def guard(app: Dash, state: AppState, credentials: tuple[str, str] | None) -> None:
    """Ahead of Dash (dashboard/guard.py): the login before any body is read, then every callback request
    validated; the shell's own inputs checked against what they can be."""
    from . import guard as front_door

    policies = set(state.analyzer.policies())
    checks = {("lang", "value"): lambda v: v in i18n.LANGS,
              ("policy", "value"): lambda v: v is None or (isinstance(v, str) and v in policies)}
    front_door.install(app, checks, *(login_check(*credentials) if credentials else ()))


def organizations_redirect(app: Dash) -> None:
    """/organizations (the data file's spelling) goes to /organisations, the query string kept."""

    @app.server.route("/organizations")
    def organizations():
        query = flask.request.query_string.decode("latin-1")
        return flask.redirect("/organisations" + (f"?{query}" if query else ""), code=308)


def content_security_policy(app: Dash) -> str:
    """Scripts only from the server itself, plus the hashes of Dash's inline scripts (the
    renderer start-up and the pages' title callback): no 'unsafe-inline' or 'unsafe-eval'
    for scripts. Styles need 'unsafe-inline' (Plotly, AG Grid and cytoscape set styles at run time)."""
    script = " ".join(["'self'", *app.csp_hashes()])
    return ("default-src 'self'; "
            f"script-src {script}; "
            "style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def secure(app: Dash) -> None:
    """Security headers on every response, including the 401s of the login."""

    @app.server.after_request
    def headers(response: flask.Response) -> flask.Response:
        # Hashed per response (microseconds): Dash adds the pages' inline title callback during
        # the first request, so a policy computed before it would block that script.
        response.headers.setdefault("Content-Security-Policy", content_security_policy(app))
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if response.mimetype == "application/json" or flask.request.path.startswith("/_dash-update-component"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def is_local(host: str) -> bool:
    return host.strip().lower() in LOCAL_HOSTS
