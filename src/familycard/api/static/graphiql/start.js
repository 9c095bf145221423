// familycard's GraphiQL page (not vendored): renders GraphiQL against the URL of this page.
// Loaded by the page at GET /graphql after React, ReactDOM and GraphiQL (all from this server).
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  if (typeof GraphiQL === "undefined" || typeof React === "undefined" || typeof ReactDOM === "undefined") {
    root.textContent = "GraphiQL's scripts did not load from this server (graphiql/*.js): see the browser console.";
    return;
  }
  var template = root.getAttribute("data-header-template");
  var placeholder = JSON.parse(template).Authorization;
  // The page's own URL is the GraphQL endpoint (behind a path prefix too).
  var endpoint = window.location.pathname;
  var send = GraphiQL.createFetcher({ url: endpoint, enableIncrementalDelivery: false });

  // The header template left as it is means "no token yet": send none, so the schema loads
  // (when introspection is on) and a query is answered "sign in: this needs a bearer token"
  // rather than "unknown API key".
  function fetcher(params, options) {
    var headers = {};
    var given = (options && options.headers) || {};
    Object.keys(given).forEach(function (name) {
      var unchanged = name.toLowerCase() === "authorization" && String(given[name]).trim() === placeholder;
      if (!unchanged) headers[name] = given[name];
    });
    return send(params, Object.assign({}, options, { headers: headers }));
  }

  // GraphiQL's storage (localStorage), with every header value left out. shouldPersistHeaders
  // keeps them out of the tabs, but GraphiQL 4.1's history plugin saves each run's headers
  // ("graphiql:queries") regardless: the bearer token would stay in the browser.
  function withoutHeaders(key, value) {
    if (key === "graphiql:headers") return "";
    try {
      return JSON.stringify(JSON.parse(value), function (name, v) { return name === "headers" ? undefined : v; });
    } catch (e) {
      return value;  // not JSON (a flag, a name): nothing to leave out
    }
  }
  var storage = {
    getItem: function (key) { return window.localStorage.getItem(key); },
    setItem: function (key, value) { window.localStorage.setItem(key, withoutHeaders(key, value)); },
    removeItem: function (key) { window.localStorage.removeItem(key); },
    get length() { return Object.keys(window.localStorage).filter(isOurs).length; },
    clear: function () { Object.keys(window.localStorage).filter(isOurs).forEach(storage.removeItem); },
  };
  function isOurs(key) { return key.indexOf("graphiql:") === 0; }

  var query = [
    "# Your bearer token goes into the Headers tab below:",
    '#   {"Authorization": "Bearer <token>"}',
    "# Run a query with Ctrl-Enter or the ▶ button.",
    "{",
    "  benefits {",
    "    code",
    "    kind",
    "  }",
    "}",
    "",
  ].join("\n");

  ReactDOM.createRoot(root).render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: query,
    defaultHeaders: JSON.stringify(JSON.parse(template), null, 2),
    defaultEditorToolsVisibility: "headers",
    shouldPersistHeaders: false,  // a token is not left behind in this browser's storage
    storage: storage,
  }));
})();
