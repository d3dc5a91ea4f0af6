// The GraphQL client: the API key from this tab's sessionStorage as a Bearer header,
// queries and mutations over POST /graphql, subscriptions over graphql-transport-ws.

const KEY = "traveler.key";

export const getKey = () => sessionStorage.getItem(KEY);
export const setKey = (k) => sessionStorage.setItem(KEY, k);
export const clearKey = () => sessionStorage.removeItem(KEY);

/** Thrown when the server refuses the key (HTTP 401). */
export class AuthError extends Error {}

/** Runs one operation; resolves to `{data, errors}` (errors as the server sent them). */
export async function gql(query, variables = {}, key = getKey()) {
  const res = await fetch("/graphql", {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/graphql-response+json",
      Authorization: "Bearer " + (key || ""),
    },
    body: JSON.stringify({ query, variables }),
  });
  if (res.status === 401) throw new AuthError("The API key was not accepted.");
  const body = await res.json();
  return { data: body.data || null, errors: body.errors || [] };
}

/** Like `gql`, but throws on any error (for reads that should not fail). */
export async function read(query, variables) {
  const { data, errors } = await gql(query, variables);
  if (errors.length) throw new Error(errors.map((e) => e.message).join("; "));
  return data;
}

/**
 * Subscribes with graphql-transport-ws; calls `onData(data)` for every event and
 * `onState(text)` when the connection opens or drops. Reconnects after a drop.
 * Returns a function that ends the subscription.
 */
export function subscribe(query, variables, onData, onState = () => {}) {
  let socket;
  let closed = false;
  let retry = 500;
  const open = () => {
    const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/graphql";
    socket = new WebSocket(url, "graphql-transport-ws");
    socket.onopen = () =>
      socket.send(JSON.stringify({ type: "connection_init", payload: { Authorization: "Bearer " + getKey() } }));
    socket.onmessage = (m) => {
      const msg = JSON.parse(m.data);
      if (msg.type === "connection_ack") {
        retry = 500;
        onState("live");
        socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query, variables } }));
      } else if (msg.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
      } else if (msg.type === "next" && msg.payload.data) {
        onData(msg.payload.data);
      }
    };
    socket.onclose = () => {
      if (closed) return;
      onState("reconnecting");
      setTimeout(open, retry);
      retry = Math.min(retry * 2, 10000);
    };
  };
  open();
  return () => {
    closed = true;
    socket.close();
  };
}

/** The last string segment of an error's `extensions.field` (`["input","runs",0,"serialNumber"]`). */
export function fieldOf(err) {
  const path = (err.extensions && err.extensions.field) || [];
  const names = path.filter((s) => typeof s === "string" && s !== "input");
  return names.length ? names[names.length - 1] : null;
}

/** The run index an error belongs to: `extensions.index`, else the number in its path. */
export function indexOf(err) {
  const ext = err.extensions || {};
  if (typeof ext.index === "number") return ext.index;
  const n = (ext.field || []).find((s) => typeof s === "number");
  return typeof n === "number" ? n : null;
}

/** Every page's nodes of a connection field, for short pick lists. */
export async function all(field, selection, filters = null) {
  const q = `query($f: ${filterType(field)}, $a: String) { ${field}(filters: $f, first: 100, after: $a) {
    edges { node { ${selection} } } pageInfo { hasNextPage endCursor } } }`;
  let after = null;
  const out = [];
  for (let i = 0; i < 20; i++) {
    const d = await read(q, { f: filters, a: after });
    out.push(...d[field].edges.map((e) => e.node));
    if (!d[field].pageInfo.hasNextPage) break;
    after = d[field].pageInfo.endCursor;
  }
  return out;
}

function filterType(field) {
  const names = {
    parts: "PartsInputFilters",
    procedures: "ProceduresInputFilters",
    users: "UsersInputFilters",
    teams: "TeamsInputFilters",
    runBatches: "RunBatchesInputFilters",
    partInventories: "PartInventoriesInputFilters",
    workCenters: "WorkCentersInputFilters",
  };
  return names[field];
}
