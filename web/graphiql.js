// GraphiQL against this server. The API key signed in to the web app (this tab's
// sessionStorage) becomes the default Authorization header, for HTTP and for the
// WebSocket's connection_init (subscriptions).
(function () {
  const key = sessionStorage.getItem("traveler.key") || "";
  const auth = key ? { Authorization: "Bearer " + key } : {};
  const ws = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/graphql";
  const fetcher = GraphiQL.createFetcher({
    url: "/graphql",
    subscriptionUrl: ws,
    wsConnectionParams: auth,
  });
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
      defaultQuery: "{\n  me {\n    name\n  }\n}\n",
    })
  );
})();
