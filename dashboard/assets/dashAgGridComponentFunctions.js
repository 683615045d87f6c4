// AG Grid cell renderers (dash-ag-grid reads window.dashAgGridComponentFunctions).
// ContractLink: a contract id as a link to /chains?contract=… with the current as-of date, policy
// and language (read from the URL, which the shell keeps), navigated like dcc.Link (no reload).
var dagcomponentfuncs = (window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {});

window.itakuContractHref = function (id) {
    var here = new URLSearchParams(window.location.search);
    var q = new URLSearchParams();
    q.set("contract", id);
    ["as_of", "policy", "lang"].forEach(function (k) { if (here.get(k)) { q.set(k, here.get(k)); } });
    return "/chains?" + q.toString();
};

dagcomponentfuncs.ContractLink = function (props) {
    if (!props.value) { return null; }
    var href = window.itakuContractHref(String(props.value));
    return React.createElement("a", {
        href: href, className: "contract-link mono",
        onClick: function (e) {
            if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) { return; }
            e.preventDefault();
            window.history.pushState({}, "", href);
            window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
            window.scrollTo(0, 0);
        }
    }, String(props.value));
};
