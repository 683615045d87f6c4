/* dash-cytoscape's defaultProps always hand `wheelSensitivity: 1` (cytoscape.js's own default) to
   cytoscape.js, which warns "You have set a custom wheel sensitivity" for any value given, so every
   chains load printed it although nothing is customised. Drop exactly that message; every other
   warning still reaches the console. */
(function () {
  const warn = console.warn.bind(console);
  console.warn = function (...args) {
    if (typeof args[0] === "string" && args[0].startsWith("You have set a custom wheel sensitivity")) return;
    warn(...args);
  };
})();
