// The run traveler: the run's steps in order with their state, blockers and fields;
// working a step; batch siblings; live updates through the runChanged subscription.
import { gql, read, subscribe } from "./api.js";
import { h, labelled, statusBadge, announce } from "./ui.js";

const STEP = `id _etag title content position status availableToWork blockers
  history { kind fromValue toValue }
  fields { id _etag runStepId name type required unit options validations value signedById signedAt }`;
const RUN = `id _etag number title status dueDate exportControlled source startedAt completedAt
  part { partNumber revision } procedure { title version }
  partInventory { serialNumber lotNumber quantity status }
  assignedTo { name } assignedTeam { name }
  workCenter { name } scheduledStart scheduledEnd priority
  runBatch { id title runs { id number title status } }
  allSteps { parentId ${STEP} }`;
// Every step in one flat list (parents first), nested here: nesting in the query would
// multiply its cost at every level and stop at the server's limit.

/** Gives `run.steps` (top level) and each step's `steps` from `run.allSteps`. */
function nest(run) {
  const byId = new Map(run.allSteps.map((s) => [s.id, { ...s, steps: [] }]));
  run.steps = [];
  for (const s of byId.values()) {
    const parent = s.parentId && byId.get(s.parentId);
    (parent ? parent.steps : run.steps).push(s);
  }
  return run;
}

/** Renders run `id` and follows it live; returns the function that stops following. */
export async function travelerPage(main, id) {
  const d = await read(`query($id: ID!) { run(id: $id) { ${RUN} } }`, { id });
  if (!d.run) {
    main.replaceChildren(h("h1", {}, "Run not found"), h("p", {}, h("a", { href: "#/runs" }, "Back to runs")));
    return null;
  }
  const view = new Traveler(main, nest(d.run));
  view.render();
  return subscribe(
    `subscription($id: ID!) { runChanged(id: $id) { eventId action run { ${RUN} } } }`,
    { id },
    (data) => view.update(data.runChanged),
    (state) => view.connection(state)
  );
}

class Traveler {
  constructor(main, run) {
    this.main = main;
    this.run = run;
    this.errors = {}; // field or step id -> message
    this.typed = {}; // field id -> a refused value, shown until corrected
    this.live = "connecting";
  }

  update(ev) {
    this.run = nest(ev.run);
    this.render();
    announce(`Run updated: ${ev.action}.`);
  }

  connection(state) {
    this.live = state;
    const el = this.main.querySelector(".live-state");
    if (el) el.textContent = state === "live" ? "Live" : "Reconnecting…";
  }

  render() {
    // A live update must not take away what the person is typing: keep the focused
    // control's value and focus across the re-render.
    const active = document.activeElement;
    const focused = active && active.id;
    const typing = active && active.tagName === "INPUT" && active.type !== "checkbox" ? active.value : null;
    const r = this.run;
    const u = r.partInventory;
    this.main.replaceChildren(
      ...[h("div", { class: "title-row" },
        h("h1", {}, r.title),
        statusBadge(r.status),
        h("span", { class: "live-state", "aria-label": "Live updates" }, this.live === "live" ? "Live" : "Connecting…")),
      h("dl", { class: "facts" },
        fact("Run", `RUN-${String(r.number).padStart(6, "0")}`),
        fact("Part", `${r.part.partNumber} rev ${r.part.revision}`),
        fact("Procedure", r.procedure ? `${r.procedure.title} v${r.procedure.version}` : "None yet"),
        fact("Unit", u ? u.serialNumber ? `SN ${u.serialNumber}` : u.lotNumber ? `Lot ${u.lotNumber} (qty ${u.quantity})` : `Qty ${u.quantity}` : "—"),
        fact("Source", r.source === "ATTACH" ? "Existing item" : "New build"),
        fact("Assigned to", r.assignedTo ? r.assignedTo.name : r.assignedTeam ? r.assignedTeam.name : "Unassigned"),
        fact("Due", r.dueDate || "—"),
        fact("Work center", r.workCenter ? r.workCenter.name : "—"),
        fact("Scheduled", r.scheduledStart ? `${when(r.scheduledStart)} – ${r.scheduledEnd ? when(r.scheduledEnd) : "?"}` : "Not scheduled"),
        fact("Priority", String(r.priority)),
        r.exportControlled ? fact("Export controlled", "Yes") : null),
      r.runBatch ? this.siblings() : null,
      h("h2", {}, "Steps"),
      r.steps.length ? h("ol", { class: "steps" }, r.steps.map((s, i) => this.step(s, `${i + 1}`))) : h("p", {}, "This run has no steps yet: it has no procedure.")
    ].filter(Boolean));
    const again = focused && document.getElementById(focused);
    if (again) {
      if (typing !== null && again.tagName === "INPUT") again.value = typing;
      again.focus();
    }
  }

  siblings() {
    const b = this.run.runBatch;
    return h("section", { class: "batch", "aria-labelledby": "batch-h" },
      h("h2", { id: "batch-h" }, `Batch ${b.title}`),
      h("p", { class: "hint" }, "Work on a step applies to the same step of every run in the batch."),
      h("ul", {}, b.runs.map((x) => h("li", {},
        x.id === this.run.id ? h("strong", {}, x.title, " (this run)") : h("a", { href: `#/runs/${x.id}` }, x.title),
        " ", statusBadge(x.status)))));
  }

  step(s, label) {
    const hid = `step-${s.id}-h`;
    return h("li", { class: "step s-" + s.status.toLowerCase() },
      h("section", { "aria-labelledby": hid },
        h("div", { class: "step-head" },
          h("h3", { id: hid }, `${label}. ${s.title}`),
          statusBadge(s.status)),
        s.content ? h("p", { class: "content" }, s.content) : null,
        s.blockers.length ? h("ul", { class: "blockers", "aria-label": `Why ${s.title} cannot start` }, s.blockers.map((b) => h("li", {}, b))) : null,
        s.fields.length ? h("div", { class: "fields" }, s.fields.map((f) => this.field(s, f))) : null,
        this.actions(s),
        this.errors[s.id] ? h("p", { class: "error", role: "alert" }, this.errors[s.id]) : null,
        s.steps.length ? h("ol", { class: "steps" }, s.steps.map((c, i) => this.step(c, `${label}.${i + 1}`))) : null));
  }

  actions(s) {
    // Stable ids keep keyboard focus on a button across live re-renders.
    const act = (text, to) => h("button", { type: "button", id: `act-${s.id}-${text}`, class: text === "Complete" ? "primary" : "", "aria-label": `${text} ${s.title}`, onclick: () => this.move(s, to) }, text);
    const out = [];
    if (s.status === "TODO") out.push(act("Start", "IN_PROGRESS"), act("Hold", "HOLD"));
    if (s.status === "IN_PROGRESS") out.push(act("Complete", "COMPLETE"), act("Hold", "HOLD"), act("Fail", "FAILED"));
    if (s.status === "HOLD") out.push(act("Resume", heldFrom(s)));
    if (s.status === "FAILED") out.push(act("Rework", "TODO"));
    return out.length ? h("div", { class: "actions" }, out) : null;
  }

  async move(s, to) {
    const { errors } = await gql(
      "mutation($i: UpdateRunStepInput!) { updateRunStep(input: $i) { runStep { id } } }",
      { i: { id: s.id, etag: s._etag, status: to } }
    );
    this.errors[s.id] = errors.map((e) => e.message).join(" ") || null;
    await this.reload();
    this.keepFocusIn(s);
  }

  /** When the control just used is gone (Start became Complete), focus the step's next one. */
  keepFocusIn(s) {
    const a = document.activeElement;
    if (a && a !== document.body && this.main.contains(a)) return;
    const head = document.getElementById(`step-${s.id}-h`);
    const next = head && head.closest("section").querySelector("input:not([disabled]), select:not([disabled]), button:not([disabled])");
    if (next) next.focus();
  }

  field(s, f) {
    const id = `field-${f.id}`;
    const editable = s.status === "IN_PROGRESS";
    const label = `${f.name}${f.unit ? ` (${f.unit})` : ""}${f.required ? " *" : ""}`;
    const err = this.errors[f.id];
    if (f.type === "SIGNOFF") {
      const signed = f.value === true;
      return h("div", { class: "field signoff" + (err ? " invalid" : "") },
        h("span", { class: "label" }, f.name),
        signed ? h("span", { class: "signed" }, `Signed ${f.signedAt ? new Date(f.signedAt).toLocaleString() : ""}`) : null,
        !signed ? h("button", { type: "button", id, disabled: !editable, onclick: () => this.save(f, true) }, `Sign off ${f.name}`) : null,
        err ? h("div", { class: "error", role: "alert" }, err) : null);
    }
    let c;
    const v = this.typed[f.id] !== undefined ? this.typed[f.id] : f.value;
    if (f.type === "BOOLEAN") c = h("input", { type: "checkbox", checked: v === true, onchange: (e) => this.save(f, e.target.checked) });
    else if (f.type === "SELECT") {
      c = h("select", { onchange: (e) => this.save(f, e.target.value || null) }, h("option", { value: "" }, "—"), f.options.map((o) => h("option", { value: o }, o)));
      c.value = v ?? "";
    } else if (f.type === "MULTISELECT") {
      c = h("select", { multiple: true, onchange: (e) => this.save(f, [...e.target.selectedOptions].map((o) => o.value)) }, f.options.map((o) => h("option", { value: o, selected: Array.isArray(v) && v.includes(o) }, o)));
    } else if (f.type === "FILE_ATTACHMENT") {
      c = h("input", { type: "text", value: v ?? "", placeholder: "File reference", onchange: (e) => this.save(f, e.target.value) });
    } else {
      const type = f.type === "NUMBER" ? "number" : f.type === "DATETIME" ? "datetime-local" : "text";
      c = h("input", { type, step: f.type === "NUMBER" ? "any" : null, value: v ?? "", onchange: (e) => this.save(f, fieldValue(f, e.target.value)) });
    }
    c.id = id;
    if (!editable) c.disabled = true;
    return labelled(label, c, err, hintOf(f, s.status));
  }

  async save(f, value) {
    const { errors } = await gql(
      "mutation($i: UpdateRunStepFieldValueInput!) { updateRunStepFieldValue(input: $i) { runStepField { id } } }",
      { i: { id: f.id, etag: f._etag, value } }
    );
    // A refused value stays in the box, with the reason beside it, to be corrected.
    this.errors[f.id] = errors.length ? errors.map((e) => e.message).join(" ") : null;
    this.typed[f.id] = errors.length ? value : undefined;
    await this.reload();
    const step = this.findStep(f.runStepId);
    if (step) this.keepFocusIn(step);
  }

  findStep(id, steps = this.run.steps) {
    for (const x of steps) {
      if (x.id === id) return x;
      const inner = this.findStep(id, x.steps || []);
      if (inner) return inner;
    }
    return null;
  }

  async reload() {
    const d = await read(`query($id: ID!) { run(id: $id) { ${RUN} } }`, { id: this.run.id });
    this.run = nest(d.run);
    this.render();
  }
}

function fact(k, v) {
  return h("div", {}, h("dt", {}, k), h("dd", {}, v));
}

function fieldValue(f, raw) {
  if (raw === "") return null;
  if (f.type === "NUMBER") return Number.isFinite(Number(raw)) ? Number(raw) : raw;
  if (f.type === "DATETIME") return new Date(raw).toISOString();
  return raw;
}

function hintOf(f, status) {
  const v = f.validations || {};
  const parts = [];
  if (v.min !== undefined && v.min !== null) parts.push(`min ${v.min}`);
  if (v.max !== undefined && v.max !== null) parts.push(`max ${v.max}`);
  if (v.pattern) parts.push(`pattern ${v.pattern}`);
  if (status === "TODO") parts.push("start the step to enter a value");
  return parts.length ? parts.join(", ") : null;
}

/** HOLD goes back to the state it came from: the last status change into HOLD says which. */
function heldFrom(s) {
  const last = [...s.history].reverse().find((e) => e.toValue === "HOLD");
  return last && last.fromValue === "IN_PROGRESS" ? "IN_PROGRESS" : "TODO";
}

/** A planned time as the browser's local date and time, to the minute. */
function when(iso) {
  return new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}
