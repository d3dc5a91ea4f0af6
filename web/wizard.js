// The New Run wizard (shared/reference/domain.md): Source, Part, Identify, Details, Review.
// Every change is checked by the server (createRuns / createBatchedRun with validateOnly),
// and each error is shown at its field and on its row (extensions.field and index).
import { gql, read, all, fieldOf, indexOf, AuthError } from "./api.js";
import { h, labelled, checkbox, select, announce, uid } from "./ui.js";

const STEPS = ["Source", "Part", "Identify", "Details", "Review"];
/** Which step shows each input field, so an error can be found from the stepper. */
const STEP_OF = {
  partId: 1, procedureId: 1,
  trackingType: 2, serialNumber: 2, autogenerateSerialNumber: 2, lotNumber: 2,
  autogenerateLotNumber: 2, quantity: 2, partInventoryId: 2,
  title: 3, autogenerateTitle: 3, dueDate: 3, exportControlled: 3, assignedToId: 3,
  assignedTeamId: 3, workCenterId: 3, attributes: 3,
  copies: 4,
};
const RUN_FIELDS = "id number title status partInventory { serialNumber lotNumber quantity } runBatchId";

function draft(procedureId = "", partId = "") {
  return {
    source: "BUILD", partId, procedureId, partInventoryId: "", tracking: "",
    autoSerial: true, serialNumber: "", autoLot: true, lotNumber: "", quantity: "",
    autoTitle: true, title: "", dueDate: "", exportControlled: false, assignee: "", workCenter: "",
    attributes: {}, copies: 1,
  };
}

export async function wizardPage(main, params) {
  const [parts, users, teams, defs, centers] = await Promise.all([
    all("parts", "id partNumber revision trackingType status procedures { id title version status exportControlled }"),
    all("users", "id name"),
    all("teams", "id name"),
    read("{ attributeDefinitions { key type required options entity } }").then((d) =>
      d.attributeDefinitions.filter((a) => a.entity === "RUN")
    ),
    all("workCenters", "id name", { active: { eq: true } }),
  ]);
  const pre = params.get("procedure") || "";
  const prePart = pre ? parts.find((p) => p.procedures.some((x) => x.id === pre)) : null;
  const w = new Wizard(main, { parts, users, teams, defs, centers });
  w.rows = [draft(pre, prePart ? prePart.id : "")];
  if (prePart) w.rows[0].tracking = prePart.trackingType;
  w.render();
  w.validate();
}

class Wizard {
  constructor(main, catalog) {
    Object.assign(this, catalog);
    this.main = main;
    this.step = 0;
    this.cur = 0;
    this.rows = [];
    this.batch = false;
    this.batchName = "";
    this.errors = [];
    this.left = new Set(); // "row:step" the person has moved past: their errors show
    this.touched = new Set(); // "row:field" edited
    this.seq = 0;
    this.inventory = {};
    this.timer = null;
  }

  get d() {
    return this.rows[this.cur];
  }

  part(d = this.d) {
    return this.parts.find((p) => p.id === d.partId) || null;
  }

  // ---- talking to the server ------------------------------------------------------

  input(d) {
    const i = { copies: Number(d.copies) || 1 };
    if (d.partId) i.partId = d.partId;
    if (d.procedureId) i.procedureId = d.procedureId;
    if (d.source === "ATTACH") i.partInventoryId = d.partInventoryId || null;
    else {
      i.trackingType = d.tracking || (this.part(d) || {}).trackingType || "SERIAL";
      if (i.trackingType === "SERIAL") {
        if (d.autoSerial) i.autogenerateSerialNumber = true;
        else i.serialNumber = d.serialNumber;
      }
      if (i.trackingType === "LOT") {
        if (d.autoLot) i.autogenerateLotNumber = true;
        else i.lotNumber = d.lotNumber;
      }
      if (i.trackingType !== "SERIAL" && d.quantity !== "") i.quantity = Number(d.quantity);
    }
    if (d.autoTitle) i.autogenerateTitle = true;
    else i.title = d.title;
    if (d.dueDate) i.dueDate = d.dueDate;
    if (d.exportControlled) i.exportControlled = true;
    if (d.assignee.startsWith("u")) i.assignedToId = d.assignee.slice(1);
    if (d.assignee.startsWith("t")) i.assignedTeamId = d.assignee.slice(1);
    if (d.workCenter) i.workCenterId = d.workCenter;
    i.attributes = this.defs
      .filter((a) => d.attributes[a.key] !== undefined && d.attributes[a.key] !== "")
      .map((a) => ({ key: a.key, value: typed(a.type, d.attributes[a.key]) }));
    return i;
  }

  async send(validateOnly) {
    const runs = this.rows.map((d) => this.input(d));
    this.sent = runs;
    const key = validateOnly ? null : this.keyFor(runs);
    if (this.batch) {
      const q = `mutation($i: CreateBatchedRunInput!) { createBatchedRun(input: $i) { runBatch { id title } runs { ${RUN_FIELDS} } } }`;
      const i = { runs, validateOnly, idempotencyKey: key };
      if (this.batchName) i.title = this.batchName;
      const r = await gql(q, { i });
      return { errors: r.errors, runs: r.data && r.data.createBatchedRun && r.data.createBatchedRun.runs, batch: r.data && r.data.createBatchedRun && r.data.createBatchedRun.runBatch };
    }
    const q = `mutation($i: CreateRunsInput!) { createRuns(input: $i) { runs { ${RUN_FIELDS} } } }`;
    const r = await gql(q, { i: { runs, validateOnly, idempotencyKey: key } });
    return { errors: r.errors, runs: r.data && r.data.createRuns && r.data.createRuns.runs };
  }

  /** Checks what is authored so far (debounced); only the latest answer is shown. */
  validate() {
    clearTimeout(this.timer);
    this.timer = setTimeout(async () => {
      const n = ++this.seq;
      const { errors } = await this.send(true);
      if (n !== this.seq) return;
      this.errors = errors;
      this.showErrors();
    }, 250);
  }

  async create(button) {
    clearTimeout(this.timer);
    this.seq++;
    button.disabled = true;
    this.rows.forEach((_, r) => STEPS.forEach((_, s) => this.left.add(`${r}:${s}`)));
    let answer;
    try {
      answer = await this.send(false);
    } catch (e) {
      answer = { errors: [{ message: unanswered(e) }], failed: true };
    }
    const { errors, runs, batch, failed } = answer;
    if (errors.length) {
      this.errors = errors;
      this.render();
      announce(failed ? errors[0].message : `Nothing was created: ${errors.length} error${errors.length > 1 ? "s" : ""}.`);
      return;
    }
    if (runs.length === 1 && !batch) {
      location.hash = `#/runs/${runs[0].id}`;
      return;
    }
    this.done(runs, batch);
  }

  /**
   * The idempotency key of a create: the same draft sent again (after a request that got
   * no answer) keeps its key, so the server creates its runs at most once.
   */
  keyFor(runs) {
    const what = JSON.stringify([runs, this.batch, this.batchName]);
    if (!this.pending || this.pending.what !== what) this.pending = { what, key: crypto.randomUUID() };
    return this.pending.key;
  }

  done(runs, batch) {
    this.main.replaceChildren(
      ...[h("h1", {}, `Created ${runs.length} run${runs.length > 1 ? "s" : ""}`),
      batch ? h("p", {}, "In batch ", h("strong", {}, batch.title)) : null,
      h("ul", { class: "created" }, runs.map((r) => h("li", {}, h("a", { href: `#/runs/${r.id}` }, r.title), " ", unit(r)))),
      h("p", {}, h("a", { href: "#/runs" }, "Back to runs"), " · ", h("a", { href: "#/new", onclick: () => setTimeout(() => location.reload()) }, "Create more runs"))
    ].filter(Boolean));
    announce(`Created ${runs.length} runs.`);
    this.main.querySelector("h1").focus();
  }

  // ---- errors ---------------------------------------------------------------------

  /** The errors of row `r`, each with the name of the field it belongs to. */
  rowErrors(r) {
    return this.errors
      .filter((e) => indexOf(e) === r || (indexOf(e) === null && !this.batch && this.rows.length === 1))
      .map((e) => ({ e, name: this.nameOf(e, r) }));
  }

  nameOf(e, r) {
    const path = (e.extensions && e.extensions.field) || [];
    const at = path.indexOf("attributes");
    if (at >= 0 && typeof path[at + 1] === "number" && this.sent && this.sent[r]) {
      const a = this.sent[r].attributes[path[at + 1]];
      if (a) return "attr:" + a.key;
    }
    return fieldOf(e);
  }

  /** Errors that belong to no one run: the batch's, or the request's when it has several runs. */
  batchErrors() {
    return this.batch || this.rows.length > 1 ? this.errors.filter((e) => indexOf(e) === null) : [];
  }

  showErrors() {
    const mine = this.rowErrors(this.cur);
    for (const slot of this.main.querySelectorAll("[data-name]")) {
      const name = slot.dataset.name;
      const visible = this.step === 4 || this.left.has(`${this.cur}:${this.step}`) || this.touched.has(`${this.cur}:${name}`);
      const msgs =
        name === "batchTitle"
          ? this.batchErrors().filter((e) => fieldOf(e) === "title").map((e) => e.message)
          : visible ? mine.filter((x) => x.name === name).map((x) => x.e.message) : [];
      setError(slot, msgs.join(" "));
    }
    const stepper = this.main.querySelector(".stepper");
    if (stepper) stepper.replaceWith(this.stepper());
    // Review rows are updated in place, so a copies box being typed in keeps its focus.
    for (const slot of this.main.querySelectorAll(".row-errors-slot")) {
      const r = Number(slot.dataset.row);
      slot.replaceChildren(this.rowErrorList(r));
      slot.closest("tr").classList.toggle("invalid", this.rowErrors(r).length > 0);
    }
    const be = this.main.querySelector(".batch-errors");
    if (be) be.replaceWith(this.batchErrorList());
    const other = this.main.querySelector(".step-errors");
    if (other) other.replaceWith(this.otherErrors());
  }

  /** Errors of the current row for fields this step does not show. */
  otherErrors() {
    const shown = new Set([...this.main.querySelectorAll("[data-name]")].map((s) => s.dataset.name));
    const rest = this.step === 4 ? [] : this.rowErrors(this.cur).filter((x) => (STEP_OF[x.name] ?? 4) === this.step && !shown.has(x.name));
    const visible = this.left.has(`${this.cur}:${this.step}`) ? rest : [];
    return h("div", { class: "step-errors" }, visible.length ? h("ul", { role: "alert" }, visible.map((x) => h("li", {}, x.e.message))) : null);
  }

  // ---- rendering ------------------------------------------------------------------

  render() {
    const focused = document.activeElement && document.activeElement.id;
    const body = [this.source, this.partStep, this.identify, this.details, this.reviewStep][this.step].call(this);
    this.main.replaceChildren(
      h("h1", {}, "New run"),
      this.stepper(),
      h(
        "form",
        { class: "wizard card", "aria-labelledby": "wiz-step", onsubmit: (e) => e.preventDefault(), novalidate: true },
        h("h2", { id: "wiz-step" }, `${STEPS[this.step]}${this.rows.length > 1 && this.step < 4 ? ` (run ${this.cur + 1} of ${this.rows.length})` : ""}`),
        body,
        this.otherErrors(),
        this.buttons()
      )
    );
    const again = focused && document.getElementById(focused);
    if (again) again.focus();
    this.showErrors();
  }

  stepper() {
    const counts = STEPS.map(() => 0);
    for (const [r] of this.rows.entries())
      for (const x of this.rowErrors(r)) if (r === this.cur || this.step === 4) counts[STEP_OF[x.name] ?? 4] += 1;
    return h(
      "nav",
      { class: "stepper", "aria-label": "Wizard steps" },
      h(
        "ol",
        {},
        STEPS.map((name, i) =>
          h(
            "li",
            {},
            h(
              "button",
              { type: "button", "aria-current": i === this.step ? "step" : null, onclick: () => this.go(i) },
              h("span", { class: "n" }, `${i + 1}.`),
              name,
              counts[i] && (this.left.has(`${this.cur}:${i}`) || i === 4) ? h("span", { class: "err-count" }, ` (${counts[i]} error${counts[i] > 1 ? "s" : ""})`) : null
            )
          )
        )
      )
    );
  }

  go(step) {
    if (step > this.step) for (let s = this.step; s < step; s++) this.left.add(`${this.cur}:${s}`);
    this.step = step;
    this.render();
    this.main.querySelector("h2").tabIndex = -1;
    this.main.querySelector("h2").focus();
  }

  buttons() {
    const b = h("div", { class: "buttons" });
    if (this.step > 0) b.append(h("button", { type: "button", onclick: () => this.go(this.step - 1) }, "Back"));
    if (this.step < 4) b.append(h("button", { type: "button", class: "primary", onclick: () => this.go(this.step + 1) }, this.step === 3 ? "Review" : "Next"));
    else {
      const total = this.rows.reduce((n, d) => n + (Number(d.copies) || 1), 0);
      const text = this.batch ? "Create batched run" : total === 1 ? "Create run" : `Create ${total} runs`;
      const btn = h("button", { type: "button", class: "primary", onclick: () => this.create(btn) }, text);
      b.append(btn);
    }
    return b;
  }

  /** Sets a draft value; `rerender` for choices that change what the step shows. */
  set(k, v, rerender = true, name = k) {
    this.d[k] = v;
    this.touched.add(`${this.cur}:${name}`);
    if (rerender) this.render();
    this.validate();
  }

  slot(name, label, control, hint) {
    control.id = control.id || `w-${name}`;
    const box = labelled(label, control, null, hint);
    box.dataset.name = name;
    return box;
  }

  source() {
    const d = this.d;
    const radio = (value, label, help) => {
      const id = `w-source-${value}`;
      return h(
        "div",
        { class: "choice" },
        h("input", { type: "radio", name: "source", id, value, checked: d.source === value, onchange: () => this.set("source", value, true, "source") }),
        h("label", { for: id }, h("strong", {}, label), h("span", { class: "hint" }, help))
      );
    };
    return h(
      "fieldset",
      { "data-name": "source" },
      h("legend", {}, "What will this run work on?"),
      radio("BUILD", "Build a new item", "The run produces a new unit of the part."),
      radio("ATTACH", "Use an item in inventory", "The run works on a unit already on the floor."),
      h("div", { class: "error", role: "alert" })
    );
  }

  partStep() {
    const d = this.d;
    const p = this.part();
    // An ARCHIVED part gets no new units: only a run on one of its existing units may pick it.
    const choices = d.source === "ATTACH" ? this.parts : this.parts.filter((x) => x.status !== "ARCHIVED");
    const partSel = select(
      [["", "Choose a part"], ...choices.map((x) => [x.id, `${x.partNumber} rev ${x.revision}`])],
      d.partId,
      (v) => {
        d.procedureId = "";
        d.partInventoryId = "";
        d.tracking = (this.parts.find((x) => x.id === v) || {}).trackingType || "";
        this.set("partId", v);
      }
    );
    const released = p ? p.procedures.filter((x) => x.status === "RELEASED") : [];
    const procSel = select(
      [["", "None yet (add it later)"], ...released.map((x) => [x.id, `${x.title} v${x.version}`])],
      d.procedureId,
      (v) => {
        const pr = released.find((x) => x.id === v);
        if (pr && pr.exportControlled) d.exportControlled = true;
        this.set("procedureId", v);
      }
    );
    return h(
      "div",
      {},
      this.slot("partId", "Part", partSel, this.parts.length ? null : "There are no parts yet: create one (createPart) and a released procedure for it, in GraphiQL."),
      this.slot("procedureId", "Procedure", procSel, p && !released.length ? "No procedures available for this part." : "Released versions only. Its steps become the run's steps.")
    );
  }

  identify() {
    return this.d.source === "ATTACH" ? this.attach() : this.build();
  }

  build() {
    const d = this.d;
    const t = d.tracking || (this.part() || {}).trackingType || "SERIAL";
    const radio = (value, label) => {
      const id = `w-tracking-${value}`;
      return h("div", { class: "choice inline" },
        h("input", { type: "radio", name: "tracking", id, value, checked: t === value, onchange: () => this.set("tracking", value, true, "trackingType") }),
        h("label", { for: id }, label));
    };
    const out = [h("fieldset", { "data-name": "trackingType" }, h("legend", {}, "How are units tracked?"),
      radio("SERIAL", "Serialized"), radio("LOT", "Lot-tracked"), radio("NONE", "Quantity only"),
      h("div", { class: "error", role: "alert" }))];
    if (t === "SERIAL") out.push(this.number("Serial", "serialNumber", "autoSerial", "autogenerateSerialNumber"));
    if (t === "LOT") out.push(this.number("Lot", "lotNumber", "autoLot", "autogenerateLotNumber"));
    if (t !== "SERIAL") {
      const q = h("input", { type: "number", min: "0", step: "any", inputmode: "decimal", value: d.quantity, oninput: (e) => this.set("quantity", e.target.value, false) });
      out.push(this.slot("quantity", "Quantity", q));
    }
    return h("div", {}, out);
  }

  number(kind, key, autoKey, autoName) {
    const d = this.d;
    const input = h("input", { type: "text", value: d[key], disabled: d[autoKey], autocomplete: "off", oninput: (e) => this.set(key, e.target.value, false) });
    return h("div", { class: "group" },
      checkbox(`Auto-generate ${kind.toLowerCase()} number`, d[autoKey], (v) => this.set(autoKey, v, true, autoName), { id: `w-${autoName}` }),
      this.slot(key, `${kind} number`, input, d[autoKey] ? "Taken from the part's numbering scheme when the run is created." : null));
  }

  attach() {
    const d = this.d;
    const box = h("div", {}, h("p", {}, "Loading inventory…"));
    const p = this.part();
    if (!p) return h("p", { class: "error" }, "Choose a part first (step 2).");
    const load = this.inventory[p.id] || (this.inventory[p.id] = all("partInventories", "id serialNumber lotNumber quantity status", { partId: { eq: p.id } }));
    load.then((units) => {
      const usable = units.filter((u) => !["CONSUMED", "INSTALLED", "SCRAPPED"].includes(u.status));
      const sel = select([["", usable.length ? "Choose an item" : "No usable items of this part"], ...usable.map((u) => [u.id, `${u.serialNumber || u.lotNumber || "Unit " + u.id} (${u.status}, qty ${u.quantity})`])], d.partInventoryId, (v) => this.set("partInventoryId", v, false));
      box.replaceChildren(this.slot("partInventoryId", "Inventory item", sel));
      this.showErrors();
    });
    return box;
  }

  details() {
    const d = this.d;
    const title = h("input", { type: "text", value: d.title, disabled: d.autoTitle, oninput: (e) => this.set("title", e.target.value, false) });
    const due = h("input", { type: "date", value: d.dueDate, onchange: (e) => this.set("dueDate", e.target.value, false) });
    const proc = (this.part() || { procedures: [] }).procedures.find((x) => x.id === d.procedureId);
    const forced = proc && proc.exportControlled;
    const assignee = select(
      [["", "Unassigned (the organization's pool)"], { group: "Users", options: this.users.map((u) => ["u" + u.id, u.name]) }, { group: "Teams", options: this.teams.map((t) => ["t" + t.id, t.name]) }],
      d.assignee,
      (v) => this.set("assignee", v, false, v.startsWith("t") ? "assignedTeamId" : "assignedToId")
    );
    const box = h("div", {},
      checkbox("Auto-generate run name", d.autoTitle, (v) => this.set("autoTitle", v, true, "title"), { id: "w-autoTitle" }),
      this.slot("title", "Run name", title, d.autoTitle ? "Named from the run number and the part." : null),
      this.slot("dueDate", "Due date", due),
      h("div", { "data-name": "exportControlled" },
        checkbox("Export controlled", forced || d.exportControlled, (v) => this.set("exportControlled", v, false), { disabled: forced, id: "w-exportControlled" }),
        forced ? h("div", { class: "hint" }, "Always on: the procedure is export-controlled.") : null,
        h("div", { class: "error", role: "alert" })),
      this.slot(d.assignee.startsWith("t") ? "assignedTeamId" : "assignedToId", "Assigned to", assignee),
      // Where the work happens, besides who does it: a run may have both.
      this.slot("workCenterId", "Work center", select(
        [["", "None"], ...this.centers.map((w) => [w.id, w.name])],
        d.workCenter,
        (v) => this.set("workCenter", v, false, "workCenterId")
      ))
    );
    for (const a of this.defs) box.append(this.attribute(a));
    return box;
  }

  attribute(a) {
    const d = this.d;
    const v = d.attributes[a.key] ?? "";
    const put = (x) => {
      d.attributes[a.key] = x;
      this.touched.add(`${this.cur}:attr:${a.key}`);
      this.validate();
    };
    const label = a.key + (a.required ? " (required)" : "");
    const id = `w-attr-${a.key}`;
    let c;
    if (a.type === "BOOLEAN") {
      const box = h("div", { "data-name": "attr:" + a.key }, checkbox(label, v === true, put, { id }), h("div", { class: "error", role: "alert" }));
      return box;
    } else if (a.type === "SELECT") c = select([["", "—"], ...a.options.map((o) => [o, o])], v, put, { id });
    else c = h("input", { id, type: a.type === "NUMBER" ? "number" : a.type === "DATE" ? "date" : "text", value: v, oninput: (e) => put(e.target.value) });
    return this.slot("attr:" + a.key, label, c);
  }

  reviewStep() {
    const batch = h("div", { class: "group" },
      checkbox("Batch runs", this.batch, (v) => { this.batch = v; this.render(); this.validate(); }, { id: "w-batch" }));
    if (this.batch) {
      const name = h("input", { type: "text", value: this.batchName, oninput: (e) => { this.batchName = e.target.value; this.validate(); } });
      const box = this.slot("batchTitle", "Batch name", name, "Left empty, the batch is named for you.");
      batch.append(box);
    }
    return h("div", {}, this.review(), h("button", { type: "button", onclick: () => this.add(draft()) }, "Add another run"), batch);
  }

  review() {
    return h("div", { class: "review" },
      h("table", {},
        h("caption", {}, "Runs to create"),
        h("thead", {}, h("tr", {}, ["#", "Run", "Copies", "Actions"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, this.rows.map((d, r) => this.row(d, r)))),
      this.batchErrorList());
  }

  batchErrorList() {
    const errs = this.batchErrors().filter((e) => !this.batch || fieldOf(e) !== "title");
    return h("div", { class: "batch-errors" }, errs.length ? h("ul", { role: "alert" }, errs.map((e) => h("li", {}, e.message))) : null);
  }

  row(d, r) {
    const p = this.part(d);
    const errs = this.rowErrors(r);
    const copies = h("input", { type: "number", min: "1", value: d.copies, id: `w-copies-${r}`, "aria-label": `Copies of run ${r + 1}`,
      oninput: (e) => { d.copies = e.target.value; this.touched.add(`${r}:copies`); this.validate(); const b = this.main.querySelector(".buttons"); b.replaceWith(this.buttons()); } });
    const proc = p && p.procedures.find((x) => x.id === d.procedureId);
    const ident = d.source === "ATTACH" ? "existing item" : identity(d, p);
    return h("tr", { class: errs.length ? "invalid" : "" },
      h("th", { scope: "row" }, r + 1),
      h("td", {},
        h("div", {}, p ? `${p.partNumber} rev ${p.revision}` : "No part", " · ", proc ? `${proc.title} v${proc.version}` : "no procedure"),
        h("div", { class: "hint" }, ident, " · ", d.autoTitle ? "auto-generated name" : d.title),
        h("div", { class: "row-errors-slot", "data-row": r }, this.rowErrorList(r))),
      h("td", {}, copies),
      h("td", { class: "actions" },
        h("button", { type: "button", "aria-label": `Edit run ${r + 1}`, onclick: () => { this.cur = r; this.go(0); } }, "Edit"),
        h("button", { type: "button", "aria-label": `Duplicate run ${r + 1}`, onclick: () => this.add(structuredClone(d)) }, "Duplicate"),
        h("button", { type: "button", "aria-label": `Remove run ${r + 1}`, onclick: () => this.remove(r) }, "Remove")));
  }

  rowErrorList(r) {
    const errs = this.rowErrors(r);
    return errs.length ? h("ul", { class: "row-errors", role: "alert" }, errs.map((x) => h("li", {}, `${STEPS[STEP_OF[x.name] ?? 4]}: ${x.e.message}`))) : "";
  }

  add(d) {
    this.rows.push(d);
    this.cur = this.rows.length - 1;
    this.step = d.partId ? 4 : 0;
    this.render();
    this.validate();
  }

  remove(r) {
    this.rows.splice(r, 1);
    if (!this.rows.length) this.rows.push(draft());
    this.cur = Math.min(this.cur, this.rows.length - 1);
    this.render();
    this.validate();
  }
}

function identity(d, p) {
  const t = d.tracking || (p || {}).trackingType || "SERIAL";
  if (t === "SERIAL") return d.autoSerial ? "serial auto-generated" : `serial ${d.serialNumber}`;
  if (t === "LOT") return `${d.autoLot ? "lot auto-generated" : "lot " + d.lotNumber}, qty ${d.quantity || "?"}`;
  return `quantity ${d.quantity || "?"}`;
}

function unit(r) {
  const u = r.partInventory;
  if (!u) return "";
  return u.serialNumber ? `SN ${u.serialNumber}` : u.lotNumber ? `lot ${u.lotNumber}` : `qty ${u.quantity}`;
}

function typed(type, v) {
  if (type === "NUMBER") return Number(v);
  if (type === "BOOLEAN") return !!v;
  return v;
}

/** Puts `message` (or nothing) in a field's error slot, linked to its control. */
function setError(slot, message) {
  let err = slot.querySelector(".error");
  const control = slot.querySelector("input, select, textarea");
  if (!err) {
    err = h("div", { class: "error", role: "alert" });
    slot.append(err);
  }
  if (control && !err.id) err.id = (control.id || uid()) + "-err";
  err.textContent = message;
  slot.classList.toggle("invalid", !!message);
  if (control) {
    if (message) {
      control.setAttribute("aria-invalid", "true");
      control.setAttribute("aria-describedby", err.id);
    } else {
      control.removeAttribute("aria-invalid");
      control.removeAttribute("aria-describedby");
    }
  }
}

/** The message for a create that got no answer: it may or may not have been done. */
function unanswered(e) {
  if (e instanceof AuthError) return `${e.message} Sign in again: nothing was created.`;
  return `The server did not answer (${e.message}). Press the button again: ` +
    "the same runs are created at most once.";
}
