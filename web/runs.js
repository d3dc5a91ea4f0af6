// The runs list: filters people use on the floor, paged 25 at a time.
import { read, all } from "./api.js";
import { h, labelled, select, checkbox, statusBadge } from "./ui.js";
import { session } from "./app.js";

const STATUSES = ["TODO", "IN_PROGRESS", "HOLD", "REDLINE", "FAILED", "COMPLETE", "PARTIAL_COMPLETE", "CANCELED"];
const PAGE = 25;

const RUNS = `query($f: RunsInputFilters, $first: Int, $after: String) {
  runs(filters: $f, first: $first, after: $after, sort: [ID_DESC]) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id number title status dueDate
      part { partNumber revision } procedure { title version }
      assignedTo { name } assignedTeam { name } workCenter { name } runBatch { title } } } } }`;

export async function runsPage(main, params) {
  const [parts, procedures, users, teams, batches, centers] = await Promise.all([
    all("parts", "id partNumber revision"),
    all("procedures", "id title version"),
    all("users", "id name"),
    all("teams", "id name"),
    all("runBatches", "id title"),
    all("workCenters", "id name"),
  ]);
  const f = Object.fromEntries(params.entries());
  const cursors = [null];
  const results = h("div", { class: "results" });
  const set = (k, v) => {
    if (v === "" || v === false) delete f[k];
    else f[k] = v;
    cursors.length = 1;
    history.replaceState(null, "", "#/runs?" + new URLSearchParams(f));
    load();
  };
  const filters = h(
    "form",
    { class: "filters", "aria-label": "Filter runs", onsubmit: (e) => e.preventDefault() },
    labelled("Status", select([["", "Any"], ...STATUSES.map((s) => [s, s.replace("_", " ")])], f.status, (v) => set("status", v))),
    labelled("Part", select([["", "Any"], ...parts.map((p) => [p.id, `${p.partNumber} rev ${p.revision}`])], f.part, (v) => set("part", v))),
    labelled("Procedure", select([["", "Any"], ...procedures.map((p) => [p.id, `${p.title} v${p.version}`])], f.procedure, (v) => set("procedure", v))),
    labelled("Assignee", select([["", "Anyone"], { group: "Users", options: users.map((u) => ["u" + u.id, u.name]) }, { group: "Teams", options: teams.map((t) => ["t" + t.id, t.name]) }], f.assignee, (v) => set("assignee", v))),
    labelled("Batch", select([["", "Any"], ...batches.map((b) => [b.id, b.title])], f.batch, (v) => set("batch", v))),
    labelled("Work center", select([["", "Any"], ...centers.map((w) => [w.id, w.name])], f.center, (v) => set("center", v))),
    checkbox("My runs", f.mine === "1", (v) => set("mine", v && "1")),
    checkbox("Unassigned pool", f.pool === "1", (v) => set("pool", v && "1"))
  );
  async function load() {
    const d = await read(RUNS, { f: toFilters(f), first: PAGE, after: cursors[cursors.length - 1] });
    const c = d.runs;
    const page = cursors.length;
    results.replaceChildren(
      h("p", { class: "count" }, `${c.totalCount} run${c.totalCount === 1 ? "" : "s"}`),
      table(c.edges.map((e) => e.node), Object.keys(f).length > 0),
      h(
        "nav",
        { class: "pager", "aria-label": "Pages" },
        h("button", { type: "button", disabled: page === 1, onclick: () => (cursors.pop(), load()) }, "Previous page"),
        h("span", {}, `Page ${page}`),
        h("button", { type: "button", disabled: !c.pageInfo.hasNextPage, onclick: () => (cursors.push(c.pageInfo.endCursor), load()) }, "Next page")
      )
    );
  }
  main.replaceChildren(
    h("div", { class: "title-row" }, h("h1", {}, "Runs"), h("a", { class: "button primary", href: "#/new" }, "Create run")),
    filters,
    results
  );
  await load();
}

function toFilters(f) {
  const out = {};
  if (f.status) out.status = { eq: f.status };
  if (f.part) out.partId = { eq: f.part };
  if (f.procedure) out.procedureId = { eq: f.procedure };
  if (f.batch) out.runBatchId = { eq: f.batch };
  if (f.center) out.workCenterId = { eq: f.center };
  if (f.assignee && f.assignee[0] === "u") out.assignedToId = { eq: f.assignee.slice(1) };
  if (f.assignee && f.assignee[0] === "t") out.assignedTeamId = { eq: f.assignee.slice(1) };
  if (f.mine) out.assignedToId = { eq: session.me.id };
  if (f.pool) Object.assign(out, { assignedToId: { isNull: true }, assignedTeamId: { isNull: true } });
  return out;
}

function table(runs, filtered) {
  if (!runs.length) return h("p", {}, filtered ? "No runs match these filters." : "No runs yet: Create run starts one.");
  return h(
    "table",
    { class: "runs" },
    h("caption", { class: "sr-only" }, "Runs"),
    h("thead", {}, h("tr", {}, ["Run", "Title", "Status", "Part", "Procedure", "Assigned to", "Work center", "Due", "Batch"].map((t) => h("th", { scope: "col" }, t)))),
    h(
      "tbody",
      {},
      runs.map((r) =>
        h(
          "tr",
          {},
          h("td", {}, h("a", { href: `#/runs/${r.id}` }, `RUN-${String(r.number).padStart(6, "0")}`)),
          h("td", {}, r.title),
          h("td", {}, statusBadge(r.status)),
          h("td", {}, `${r.part.partNumber} rev ${r.part.revision}`),
          h("td", {}, r.procedure ? `${r.procedure.title} v${r.procedure.version}` : "None yet"),
          h("td", {}, r.assignedTo ? r.assignedTo.name : r.assignedTeam ? r.assignedTeam.name : "Unassigned"),
          h("td", {}, r.workCenter ? r.workCenter.name : ""),
          h("td", {}, r.dueDate || ""),
          h("td", {}, r.runBatch ? r.runBatch.title : "")
        )
      )
    )
  );
}
