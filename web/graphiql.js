// GraphiQL against this server. The API key signed in to the web app (this tab's
// sessionStorage) becomes the default Authorization header, for HTTP and for the
// WebSocket's connection_init (subscriptions).
(function () {
  const key = sessionStorage.getItem("traveler.key") || "";
  const auth = key ? { Authorization: "Bearer " + key } : {};
  const ws = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/graphql";
  // The Headers tab's headers go with every request, and into connection_init for a
  // subscription (the WebSocket carries no headers from a browser).
  const fetcher = (params, opts) => {
    const headers = (opts && opts.headers) || auth;
    return GraphiQL.createFetcher({
      url: "/graphql",
      subscriptionUrl: ws,
      headers,
      wsConnectionParams: headers,
    })(params, opts);
  };
  const headers = key
    ? JSON.stringify(auth, null, 2)
    : '{\n  "Authorization": "Bearer <paste your API key>"\n}';
  const root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultHeaders: headers,
      headers,
      shouldPersistHeaders: false,
      // A link can carry its document: /graphiql?query=...
      query: new URLSearchParams(location.search).get("query") || undefined,
      defaultQuery: "{\n  me {\n    name\n  }\n}\n",
    })
  );
})();
