// The estimator page's script. It only moves text around: it reads the form, keeps the
// answers in the URL fragment (#pigs=3), asks the engine (WebAssembly) and puts the engine's
// words into the page. Nothing typed leaves the phone: a fragment is never sent to a server,
// and after the rules and the module have loaded the page makes no request at all.
const root = document.querySelector("[data-estimator]");
const form = document.getElementById("estimator");
const byId = (id) => document.getElementById(id);
let estimator = null;
// The page's words come from the strings catalogue, through data attributes.
const words = root.dataset;

function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function query() {
  const params = new URLSearchParams();
  for (const [key, value] of new FormData(form)) {
    if (String(value).trim() !== "") params.append(key, String(value).trim());
  }
  return params.toString();
}

/// The answers in the address: the fragment. A link from before (facts in the query string,
/// which reaches the server) is moved into the fragment at once, so it is not sent again on
/// reload or when shared.
function answersInAddress() {
  if (location.search.length > 1) {
    const moved = location.search.slice(1);
    history.replaceState(null, "", `${location.pathname}#${moved}`);
  }
  const hash = location.hash.slice(1);
  // Other fragments (#main from the skip link) are not answers.
  return hash.includes("=") ? hash : null;
}

function fillFromQuery(answers = answersInAddress()) {
  if (answers === null) return;
  const params = new URLSearchParams(answers);
  for (const element of form.elements) {
    if (!element.name) continue;
    const value = params.get(element.name) ?? "";
    if (element.type === "radio") element.checked = element.value === value;
    else element.value = value;
  }
}

// The markup of an estimate is the site's (templates/estimate_view.html), rendered into
// <template> elements; this copies one and puts the engine's values where its data-*
// attributes say. It adds no words and works nothing out.
function apply(element, data) {
  const d = element.dataset;
  if (!d) return;
  const value = (field) => (field === "." ? data : data[field]);
  if (d.text !== undefined) element.textContent = String(value(d.text) ?? "");
  if (d.attr) {
    for (const pair of d.attr.split(",")) {
      const [name, field] = pair.split(":");
      element.setAttribute(name, String(value(field) ?? ""));
    }
  }
  if (d.shownIf !== undefined) {
    const shown = value(d.shownIf);
    element.hidden = !(Array.isArray(shown) ? shown.length : shown);
  }
}

function fill(element, data) {
  for (const child of [...element.children]) {
    const each = child.dataset?.each;
    if (each === undefined) {
      apply(child, data);
      fill(child, data);
      continue;
    }
    const copies = (data[each] ?? []).map((entry) => {
      const copy = child.cloneNode(true);
      apply(copy, entry);
      fill(copy, entry);
      return copy;
    });
    child.replaceWith(...copies);
  }
}

function filled(templateId) {
  return (data) => {
    const copy = byId(templateId).content.firstElementChild.cloneNode(true);
    apply(copy, data);
    fill(copy, data);
    return copy;
  };
}

function link(text, href) {
  const a = document.createElement("a");
  a.textContent = text;
  a.href = href;
  return a;
}

/// Put a list's items into the page, rebuilding only the items that changed: a keystroke
/// usually changes one line of an estimate, and copying templates is the costly part. True
/// when an item was made (its clause links then need their printed addresses).
const listed = new Map();
function list(id, items, make) {
  const box = byId(id);
  const before = listed.get(id) ?? [];
  const keys = items.map((item) => JSON.stringify(item));
  if (before.length !== box.children.length) box.replaceChildren();
  let made = false;
  keys.forEach((key, i) => {
    if (before[i] === key && box.children[i]) return;
    const item = make(items[i]);
    if (box.children[i]) box.children[i].replaceWith(item);
    else box.append(item);
    made = true;
  });
  while (box.children.length > items.length) box.lastElementChild.remove();
  listed.set(id, keys);
  const block = byId(`${id}-block`);
  if (block) block.hidden = items.length === 0;
  return made;
}

function showErrors(errors) {
  const summary = byId("error-summary");
  for (const field of form.querySelectorAll(".field")) {
    field.classList.remove("has-error");
    const message = field.querySelector(".field-error");
    message.hidden = true;
    message.textContent = "";
    for (const input of field.querySelectorAll("input")) input.removeAttribute("aria-invalid");
  }
  if (!errors.length) {
    summary.hidden = true;
    document.title = root.dataset.title;
    return;
  }
  const items = errors.map((e) => {
    const li = document.createElement("li");
    li.append(link(e.message, `#f-${e.fact || "date"}`));
    const field = byId(`field-${e.fact || "date"}`);
    if (field) {
      field.classList.add("has-error");
      const message = field.querySelector(".field-error");
      message.textContent = e.message;
      message.hidden = false;
      for (const input of field.querySelectorAll("input")) input.setAttribute("aria-invalid", "true");
    }
    return li;
  });
  // Rebuilt only when the problems change: a list replaced under the pointer (a field's
  // change event fires as the link is pressed) would swallow the click.
  const shown = summary.querySelector("ul");
  const unchanged = shown.children.length === items.length
    && items.every((li, i) => li.isEqualNode(shown.children[i]));
  if (!unchanged) shown.replaceChildren(...items);
  summary.hidden = false;
  document.title = `${words.tError}${root.dataset.title}`;
}

/// No figure stays on screen that does not match what is in the form.
function clearResult(message) {
  // The result's parts are hidden, not emptied: the next estimate rewrites them all.
  for (const part of ["periods", "lines", "schedule", "loans", "not_eligible", "excluded", "next", "policies", "office"]) delete shown[part];
  delete byId("result").dataset.computed;
  const total = byId("estimate-total");
  total.textContent = "—";
  total.dataset.min = "";
  total.dataset.max = "";
  byId("estimate-words").textContent = "";
  byId("result-date").textContent = "";
  byId("result-periods").replaceChildren();
  byId("running-total").hidden = true;
  byId("result-notice").hidden = true;
  byId("result-details").hidden = true;
  const empty = byId("result-empty");
  empty.textContent = message;
  empty.hidden = false;
}

/// Beside each field, only the standards of the rules the estimate used: those in force on its
/// date (all of them when there is no estimate to go by).
function showRatesOf(date) {
  for (const rate of form.querySelectorAll(".rate")) {
    const { from, to } = rate.dataset;
    rate.hidden = Boolean(date) && (date < from || (to !== "" && date > to));
  }
}

// What was last put on the page, so a keystroke rewrites only what changed: most keystrokes
// change a line or two of an estimate, and rebuilding the rest costs more than the engine.
let shown = {};
function changed(part, value) {
  if (part in shown && same(shown[part], value)) return false;
  shown[part] = value;
  return true;
}

/// Whether two values of the engine's answer are equal, compared in place: a third cheaper
/// than writing both out as JSON, which was most of what a keystroke cost beside the engine.
function same(a, b) {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
    return true;
  }
  let keys = 0;
  for (const key in a) {
    if (!same(a[key], b[key])) return false;
    keys++;
  }
  for (const key in b) keys--;
  return keys === 0;
}

function render(response, q, typing) {
  const date = response.status === "estimate" ? response.date : "";
  if (changed("rates", date)) showRatesOf(date);
  const total = byId("estimate-total");
  if (response.status === "invalid") {
    shown = { rates: date };
    showErrors(response.errors);
    clearResult(words.tFixFirst);
    return;
  }
  if (changed("errors", "")) showErrors([]);
  if (response.status === "no_rules") {
    shown = { rates: date, errors: "" };
    clearResult(response.message);
    return;
  }
  const view = response.view;
  // Only what changed is written: writing a node's text or attribute, even unchanged, makes
  // the browser lay the page out again, and most keystrokes change a figure or two.
  setText(total, view.total);
  setData(total, "min", view.total_min);
  setData(total, "max", view.total_max);
  setText(byId("estimate-words"), view.words ? `（${view.words}）` : "");
  setText(byId("result-date"), words.tRulesOfDate.replace("{date}", view.date));
  const notice = byId("result-notice");
  setHidden(notice, !response.notice);
  setText(notice, response.notice || "");
  setHidden(byId("result-empty"), view.lines.length > 0 || q !== "");
  setHidden(byId("result-details"), false);
  let links = false;
  if (changed("periods", view.periods)) byId("result-periods").replaceChildren(filled("tpl-periods")(view));
  if (changed("lines", view.lines)) links = list("result-lines", view.lines, filled("tpl-line"));
  if (changed("schedule", view.schedule)) links = list("result-schedule", view.schedule, filled("tpl-plan")) || links;
  if (changed("loans", view.loans)) links = list("result-loans", view.loans, filled("tpl-item")) || links;
  if (changed("not_eligible", view.not_eligible)) links = list("result-not-eligible", view.not_eligible, filled("tpl-item")) || links;
  if (changed("excluded", view.excluded)) links = list("result-excluded", view.excluded, filled("tpl-item")) || links;
  // What to do next: the page holds every policy's steps; show those of the policies that pay.
  if (changed("next", view.next)) {
    for (const item of byId("result-next").children) item.hidden = !view.next.includes(item.dataset.next);
    byId("result-next-block").hidden = view.next.length === 0;
  }
  if (changed("policies", view.policies)) links = list("result-policies", view.policies, filled("tpl-policy")) || links;
  if (changed("office", view.office)) {
    const disclaimer = byId("result-disclaimer");
    disclaimer.textContent = disclaimer.dataset.template.replace("{office}", view.office);
  }
  estimateShown = { q, date: response.date ?? view.date, links: links || estimateShown?.links };
  if (!typing) writeAddresses();
  byId("result").dataset.computed = "true";
  setHidden(byId("running-total"), false);
  setText(byId("running-total-amount"), view.total);
}

// The addresses that give the estimate on the page again: the share link's, the printout's
// (the answers and the rules' date, today's unless one was typed, in the fragment), and each
// clause link's as printed. Not rewritten per keystroke: setting a link's address costs a
// tenth of a millisecond (the browser looks up whether it was visited), and the clause
// links' another, together more than the engine. They are written when an answer settles,
// and brought up to date before the share link is used or the page printed.
let estimateShown = null;
function writeAddresses() {
  if (!estimateShown) return;
  const { q, date, links } = estimateShown;
  const share = byId("share");
  const href = `${location.pathname}#${q}`;
  if (share.getAttribute("href") !== href) share.setAttribute("href", href);
  const again = new URLSearchParams(q);
  if (!again.has("date")) again.set("date", date);
  setText(byId("print-url"), new URL(`${location.pathname}#${again}`, location.href).href);
  // The clause links were rebuilt since they were last given their printed addresses.
  if (links) {
    for (const a of byId("result").querySelectorAll("a.clause-link")) {
      a.dataset.print = `${new URL(a.href).hash.slice(1)}：${a.href}`;
    }
    estimateShown.links = false;
  }
}

function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

function setData(element, name, value) {
  const text = String(value ?? "");
  if (element.dataset[name] !== text) element.dataset[name] = text;
}

function setHidden(element, hidden) {
  if (element.hidden !== hidden) element.hidden = hidden;
}

// History: the first keystroke after a settled state opens a new entry, further keystrokes
// update it, and "change" settles it; so Back returns to the previous answers.
let editing = false;
function update(mode) {
  const day = today();
  const q = query();
  const url = `${location.pathname}#${q}`;
  if (mode === "type" && !editing) {
    history.pushState(null, "", url);
    editing = true;
  } else if (mode === "type" || mode === "settle") {
    history.replaceState(null, "", url);
    if (mode === "settle") editing = false;
  }
  const started = performance.now();
  try {
    render(JSON.parse(estimator.estimate(q, day)), q, mode === "type");
  } catch (error) {
    // The engine refuses bad input with messages; this is for the unforeseen.
    console.error(error);
    clearResult(words.tFailed);
  }
  root.dataset.lastEvaluationMs = String(performance.now() - started);
}

/// Let the page paint and answer input between the steps of starting up, so that no one step
/// holds the main thread long enough for a tap to wait (on a slow phone, each is tens of ms).
function yieldToPage() {
  return globalThis.scheduler?.yield ? globalThis.scheduler.yield() : new Promise((done) => setTimeout(done, 0));
}

async function start() {
  try {
    const [glue, rules] = await Promise.all([
      import(root.dataset.glue),
      fetch(root.dataset.rules).then((r) => {
        if (!r.ok) throw new Error(`rules: ${r.status}`);
        return r.arrayBuffer();
      }),
    ]);
    await glue.default({ module_or_path: root.dataset.wasm });
    await yieldToPage();
    estimator = new glue.Estimator(new Uint8Array(rules), root.dataset.clauseLinks);
    await yieldToPage();
  } catch (error) {
    byId("needs-js").hidden = true;
    byId("load-failed").hidden = false;
    console.error(error);
    return;
  }
  byId("needs-js").hidden = true;
  fillFromQuery();
  update("none");
  form.addEventListener("input", () => update("type"));
  form.addEventListener("change", () => update("settle"));
  const estimateNow = () => {
    update("settle");
    const summary = byId("error-summary");
    if (!summary.hidden) summary.focus();
    else byId("result").scrollIntoView();
  };
  byId("estimate-button").addEventListener("click", estimateNow);
  // The form has no submit button, but a browser may still submit on Enter: never let it.
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    estimateNow();
  });
  window.addEventListener("popstate", () => {
    editing = false;
    fillFromQuery();
    update("none");
  });
  // A fragment edited by hand, or a shared link opened in the same tab.
  window.addEventListener("hashchange", () => {
    const answers = answersInAddress();
    if (answers === null || answers === query()) return;
    fillFromQuery(answers);
    update("none");
  });
  // The error summary's links and the running total move focus themselves: following them
  // as links would put a field's id into the fragment in place of the answers.
  byId("error-summary").addEventListener("click", (event) => {
    const target = event.target.closest("a");
    if (!target) return;
    event.preventDefault();
    byId(target.getAttribute("href").slice(1))?.focus();
  });
  byId("running-total-button").addEventListener("click", () => {
    byId("result").scrollIntoView();
    byId("result-title").focus({ preventScroll: true });
  });
  byId("print").addEventListener("click", () => window.print());
  window.addEventListener("beforeprint", writeAddresses);
  // Whichever way the link is reached: pointer, touch, keyboard, a screen reader's click, a
  // long press for its menu, or a hover that shows its address.
  for (const use of ["pointerenter", "pointerdown", "touchstart", "focus", "click", "contextmenu"]) {
    byId("share").addEventListener(use, writeAddresses, { passive: true });
  }
  root.dataset.ready = "true";
  await yieldToPage();
  keepForOffline();
}

/// After one visit the estimator works with no network: the service worker keeps this page,
/// its files and its rules (all named by content hash), and the page says so. Where service
/// workers are not available (an old browser, a page not served over HTTPS) nothing changes.
function keepForOffline() {
  const offline = byId("offline-state");
  // Whether the service worker, asked to keep this page's files, could not reach the page.
  let unreachable = false;
  const say = () => {
    // The line keeps its place while it waits (class "pending": there but not seen), so
    // that its words arriving move nothing on the page.
    if (!navigator.onLine || unreachable) {
      offline.textContent = words.tOfflineNow;
      offline.classList.remove("pending");
    } else if (root.dataset.offline === "kept") {
      offline.textContent = words.tOfflineReady;
      offline.classList.remove("pending");
    } else {
      offline.classList.add("pending");
    }
  };
  window.addEventListener("online", () => {
    unreachable = false;
    say();
  });
  window.addEventListener("offline", say);
  say();
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data?.kept) root.dataset.offline = "kept";
    // Each answer says how it is now: the network may have come back since the last one.
    unreachable = event.data?.offline === true;
    say();
  });
  const files = [location.pathname, root.dataset.rules, root.dataset.wasm, root.dataset.glue,
    ...[...document.querySelectorAll("script[src], link[rel=stylesheet]")].map((e) => e.getAttribute("src") ?? e.getAttribute("href"))];
  navigator.serviceWorker.register(root.dataset.worker)
    .then(() => navigator.serviceWorker.ready)
    .then((registration) => registration.active?.postMessage({ keep: files }))
    .catch((error) => console.warn("offline use unavailable:", error));
}

start();
