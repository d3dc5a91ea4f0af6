// The web app: sign-in, routing by the URL hash, the navigation bar.
//   #/runs              runs list        #/new[?procedure=ID]   New Run wizard
//   #/runs/ID           run traveler     (no key)               sign-in
import { gql, getKey, setKey, clearKey, AuthError } from "./api.js";
import { h, labelled, focusMain } from "./ui.js";
import { runsPage } from "./runs.js";
import { wizardPage } from "./wizard.js";
import { travelerPage } from "./traveler.js";

export const session = { me: null };
let leave = null; // clean-up of the current page (a subscription)

async function route() {
  if (leave) leave();
  leave = null;
  const main = document.getElementById("main");
  if (!getKey() || !session.me) {
    if (getKey() && (await loadMe())) return route();
    return signIn(main);
  }
  nav();
  const [path, query] = location.hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(query || "");
  const parts = path.split("/").filter(Boolean);
  // Each visit renders into its own element: a page still loading when the person has
  // moved on (or a late live update) writes into a detached element, not over the next page.
  const page = h("div", { class: "page" }, h("p", {}, "Loading…"));
  main.replaceChildren(page);
  try {
    if (parts[0] === "new") await wizardPage(page, params);
    else if (parts[0] === "runs" && parts[1]) {
      const stop = await travelerPage(page, parts[1]);
      if (page.isConnected) leave = stop;
      else if (stop) stop();
    } else await runsPage(page, params);
  } catch (e) {
    if (e instanceof AuthError) return signOut("Your API key is no longer accepted. Sign in again.");
    page.replaceChildren(h("h1", {}, "Something went wrong"), h("p", { role: "alert" }, e.message));
  }
  if (page.isConnected) focusMain();
}

async function loadMe(key = getKey()) {
  try {
    const { data } = await gql("{ me { id name email } }", {}, key);
    session.me = data && data.me;
    return !!session.me;
  } catch (e) {
    if (e instanceof AuthError) return false;
    throw e;
  }
}

function nav() {
  const me = session.me;
  document.getElementById("nav").replaceChildren(
    h("a", { href: "#/runs" }, "Runs"),
    h("a", { href: "#/new" }, "New run"),
    h("a", { href: "/graphiql" }, "GraphiQL"),
    h("span", { class: "who" }, me.name),
    h("button", { type: "button", onclick: () => signOut() }, "Sign out")
  );
}

function signOut(message) {
  clearKey();
  session.me = null;
  document.getElementById("nav").replaceChildren();
  signIn(document.getElementById("main"), message);
}

function signIn(main, message = null) {
  document.getElementById("nav").replaceChildren();
  const input = h("input", { type: "password", name: "key", autocomplete: "off", required: true });
  let error = message;
  const form = h("form", { class: "card signin" });
  const render = () => {
    form.replaceChildren(
      h("h1", {}, "Sign in"),
      h("p", {}, "Paste your API key. It stays in this browser tab only, and is forgotten when the tab closes."),
      labelled("API key", input, error),
      h("button", { type: "submit", class: "primary" }, "Sign in")
    );
  };
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const key = input.value.trim();
    if (await loadMe(key)) {
      setKey(key);
      route();
    } else {
      error = "That API key was not accepted. Check that you pasted all of it and that it has not been revoked.";
      render();
      input.focus();
    }
  });
  render();
  main.replaceChildren(form);
  input.focus();
}

window.addEventListener("hashchange", route);
route();
