// Small DOM helpers: elements with attributes, labelled controls, error messages.

/** `h("button", {type: "button", onclick}, "Save")`: an element with attributes and children. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "value") el.value = v;
    else if (k === "checked") el.checked = !!v;
    else if (k === "class") el.className = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

let seq = 0;
export const uid = (p = "f") => `${p}-${++seq}`;

/**
 * A labelled control with room for its error: `control` gets an id, the label points at
 * it, and the error (if any) is linked with aria-describedby and aria-invalid.
 */
export function labelled(label, control, error = null, hint = null) {
  control.id = control.id || uid();
  const errId = control.id + "-err";
  const wrap = h("div", { class: "field" + (error ? " invalid" : "") });
  const lab = h("label", { for: control.id }, label);
  wrap.append(lab, control);
  if (hint) wrap.append(h("div", { class: "hint" }, hint));
  if (error) {
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-describedby", errId);
    wrap.append(h("div", { class: "error", id: errId, role: "alert" }, error));
  }
  return wrap;
}

/** A checkbox with its label after it. */
export function checkbox(label, checked, onchange, attrs = {}) {
  const id = attrs.id || uid("c");
  return h(
    "div",
    { class: "check" },
    h("input", { type: "checkbox", id, checked, onchange: (e) => onchange(e.target.checked), ...attrs }),
    h("label", { for: id }, label)
  );
}

/** A select from `[value, text]` pairs. */
export function select(options, value, onchange, attrs = {}) {
  const s = h("select", { onchange: (e) => onchange(e.target.value), ...attrs });
  for (const o of options) {
    if (o.group) {
      const g = h("optgroup", { label: o.group });
      for (const [v, t] of o.options) g.append(h("option", { value: v }, t));
      s.append(g);
    } else s.append(h("option", { value: o[0] }, o[1]));
  }
  s.value = value ?? "";
  return s;
}

/** Announces a short message to screen readers and shows it in the corner. */
export function announce(text) {
  const live = document.getElementById("live");
  live.textContent = text;
}

export const statusBadge = (status) =>
  h("span", { class: "badge s-" + String(status).toLowerCase() }, String(status).replace("_", " "));

/** Focuses the page's main heading after navigation, for keyboard and screen reader users. */
export function focusMain() {
  const h1 = document.querySelector("main h1");
  if (h1) {
    h1.tabIndex = -1;
    h1.focus({ preventScroll: true });
  }
}
