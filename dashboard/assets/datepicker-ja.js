/* A Japanese calendar for Dash's date picker, which reads date-fns locales from window.dateFns.locale
   (falling back to the first one registered). The locale is offered while the dashboard's
   language switch (#lang) says 日本語, so the calendar follows the rest of the page. */
(function () {
  function appLang() {
    var checked = document.querySelector("#lang input:checked");
    return checked ? checked.value : (document.documentElement.lang || "ja");
  }
  var months = ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"];
  var days = ["日", "月", "火", "水", "木", "金", "土"];
  function fn(values) { return function (i) { return values[Number(i)]; }; }
  function match(values) {
    return function (text) {
      for (var i = 0; i < values.length; i++) {
        if (String(text).startsWith(values[i])) return {value: i, rest: String(text).slice(values[i].length)};
      }
      return null;
    };
  }
  var ja = {
    code: "ja",
    formatDistance: function (token, count) { return String(count); },
    formatRelative: function () { return "P"; },
    localize: {
      ordinalNumber: function (n) { return String(n); },
      era: fn(["紀元前", "西暦"]),
      quarter: function (q) { return "第" + q + "四半期"; },
      month: fn(months),
      day: fn(days),
      dayPeriod: function (p) { return p === "am" ? "午前" : "午後"; }
    },
    formatLong: {
      date: function () { return "y/MM/dd"; },
      time: function () { return "H:mm:ss"; },
      dateTime: function () { return "{{date}} {{time}}"; }
    },
    match: {
      ordinalNumber: match(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]),
      era: match(["紀元前", "西暦"]),
      quarter: match(["第1", "第2", "第3", "第4"]),
      month: match(months.slice().reverse().map(function (m) { return m; })),
      day: match(days),
      dayPeriod: match(["午前", "午後"])
    },
    options: {weekStartsOn: 1, firstWeekContainsDate: 1}
  };
  var others = (window.dateFns && window.dateFns.locale) || {};
  window.dateFns = window.dateFns || {};
  window.dateFns.locale = new Proxy(others, {
    ownKeys: function (target) {
      var keys = Reflect.ownKeys(target).filter(function (k) { return k !== "ja"; });
      return appLang() === "ja" ? ["ja"].concat(keys) : keys;
    },
    getOwnPropertyDescriptor: function (target, key) {
      if (key === "ja" && appLang() === "ja") return {value: ja, enumerable: true, configurable: true, writable: false};
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
    get: function (target, key) {
      if (key === "ja") return appLang() === "ja" ? ja : undefined;
      return target[key];
    }
  });
})();
