/* The dashboard's client-side helpers (a file, not inline code: the content-security policy
   allows scripts from the server only).
   - itaku.purgeGrid: the findings grid asks the server again when the page's filters change.
   - itaku.print / window.itakuPrint: grids laid out whole for printing (AG Grid's print layout),
     then the browser's print dialog; `beforeprint`/`afterprint` do the same for Ctrl+P. */
(function () {
  function grids() {
    var out = [];
    document.querySelectorAll("div[id]").forEach(function (el) {
      if (el.querySelector(":scope > .ag-root-wrapper, :scope .ag-root-wrapper") && window.dash_ag_grid) {
        try { var api = window.dash_ag_grid.getApi(el.id); if (api && out.indexOf(api) < 0) out.push(api); } catch (e) { /* not a grid */ }
      }
    });
    return out;
  }
  function before() {
    document.body.classList.add("printing");
    grids().forEach(function (api) {
      if (api.getGridOption && api.getGridOption("rowModelType") === "infinite") return;  // printed as a table
      api.setGridOption("domLayout", "print");
    });
  }
  function after() {
    document.body.classList.remove("printing");
    grids().forEach(function (api) {
      if (api.getGridOption && api.getGridOption("rowModelType") === "infinite") return;
      api.setGridOption("domLayout", "normal");
    });
  }
  window.itakuPrint = {before: before, after: after};
  window.addEventListener("beforeprint", before);
  window.addEventListener("afterprint", after);

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    itaku: {
      purgeGrid: function () {
        var n = arguments[arguments.length - 1] || 0;
        try {
          var api = window.dash_ag_grid.getApi("fi-grid");
          if (api) { api.purgeInfiniteCache(); api.paginationGoToFirstPage(); }
        } catch (e) { /* the grid is not mounted yet: it asks when it starts */ }
        return n + 1;
      },
      print: function (n) {
        before();
        setTimeout(function () { window.print(); }, 300);
        return n;
      }
    }
  });
})();
