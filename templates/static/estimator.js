// The estimator page's script. It only moves text around: it reads the form, keeps the
// answers in the query string, asks the engine (WebAssembly) and puts the engine's words
// into the page. Nothing typed leaves the phone: after the rules and the module have loaded,
// it makes no request at all.
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

function fillFromQuery() {
  const params = new URLSearchParams(location.search);
  for (const element of form.elements) {
    if (!element.name) continue;
    const value = params.get(element.name) ?? "";
    if (element.type === "radio") element.checked = element.value === value;
    else element.value = value;
  }
}

function list(id, items, make) {
  const ul = byId(id);
  ul.replaceChildren(...items.map(make));
  const block = byId(`${id}-block`);
  if (block) block.hidden = items.length === 0;
}

function link(text, href) {
  const a = document.createElement("a");
  a.textContent = text;
  a.href = href;
  return a;
}

function item(entry) {
  const li = document.createElement("li");
  li.append(`${entry.label}：${entry.text} `, link(words.tClause, entry.clause_url));
  return li;
}

function line(l) {
  const li = document.createElement("li");
  const head = document.createElement("p");
  const strong = document.createElement("strong");
  strong.textContent = `${l.label}：${l.amount}`;
  head.append(strong, " ", link(words.tClauseLong, l.clause_url));
  if (l.derived_from_report) head.append(words.tDerived);
  const steps = document.createElement("ul");
  steps.className = "steps";
  for (const text of l.steps) {
    const s = document.createElement("li");
    s.textContent = text;
    steps.append(s);
  }
  li.append(head, steps);
  for (const note of l.notes) {
    const p = document.createElement("p");
    p.className = "muted";
    p.textContent = `${words.tNote}${note}`;
    li.append(p);
  }
  return li;
}

/// A small bar chart of a payment plan, drawn with SVG elements (no inline styles).
function chart(plan) {
  const figure = document.createElement("figure");
  const caption = document.createElement("figcaption");
  caption.textContent = `${plan.label}：${plan.parts.map((p) => `${p.label} ${p.amount}`).join("，")}（${plan.rounding}）`;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  const width = 300, barHeight = 18, gap = 6;
  const max = Math.max(...plan.parts.map((p) => Number(p.height)), 1);
  svg.setAttribute("viewBox", `0 0 ${width} ${plan.parts.length * (barHeight + gap)}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", caption.textContent);
  svg.classList.add("bars");
  plan.parts.forEach((p, i) => {
    const y = i * (barHeight + gap);
    const label = document.createElementNS(ns, "text");
    label.setAttribute("x", "0");
    label.setAttribute("y", String(y + 13));
    label.textContent = p.label;
    const bar = document.createElementNS(ns, "rect");
    bar.setAttribute("x", "60");
    bar.setAttribute("y", String(y));
    bar.setAttribute("height", String(barHeight - 4));
    bar.setAttribute("width", String(Math.max(1, Math.round((Number(p.height) / max) * 150))));
    bar.classList.add("bar");
    const value = document.createElementNS(ns, "text");
    value.setAttribute("x", String(66 + Math.round((Number(p.height) / max) * 150)));
    value.setAttribute("y", String(y + 13));
    value.textContent = p.amount;
    svg.append(label, bar, value);
  });
  figure.append(svg, caption);
  for (const note of plan.notes) {
    const p = document.createElement("p");
    p.className = "muted";
    p.textContent = `${words.tNote}${note}`;
    figure.append(p);
  }
  return figure;
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
  summary.querySelector("ul").replaceChildren(...items);
  summary.hidden = false;
  document.title = `${words.tError}${root.dataset.title}`;
}

/// No figure stays on screen that does not match what is in the form.
function clearResult(message) {
  const total = byId("estimate-total");
  total.textContent = "—";
  total.dataset.min = "";
  total.dataset.max = "";
  byId("estimate-words").textContent = "";
  byId("result-date").textContent = "";
  byId("result-notice").hidden = true;
  byId("result-details").hidden = true;
  const empty = byId("result-empty");
  empty.textContent = message;
  empty.hidden = false;
}

function render(response) {
  const total = byId("estimate-total");
  if (response.status === "invalid") {
    showErrors(response.errors);
    clearResult(words.tFixFirst);
    return;
  }
  showErrors([]);
  if (response.status === "no_rules") {
    clearResult(response.message);
    return;
  }
  const view = response.view;
  total.textContent = view.total;
  total.dataset.min = view.total_min;
  total.dataset.max = view.total_max;
  byId("estimate-words").textContent = view.words ? `（${view.words}）` : "";
  byId("result-date").textContent = words.tRulesOfDate.replace("{date}", view.date);
  const notice = byId("result-notice");
  notice.hidden = !response.notice;
  notice.textContent = response.notice || "";
  byId("result-empty").hidden = view.lines.length > 0 || query() !== "";
  byId("result-details").hidden = false;
  byId("result-lines").replaceChildren(...view.lines.map(line));
  byId("result-schedule").replaceChildren(...view.schedule.map(chart));
  byId("result-schedule-block").hidden = view.schedule.length === 0;
  list("result-loans", view.loans, item);
  list("result-not-eligible", view.not_eligible, item);
  list("result-excluded", view.excluded, item);
  byId("result-policies").replaceChildren(...view.policies.map((p) => Object.assign(document.createElement("li"), { textContent: p })));
  const disclaimer = byId("result-disclaimer");
  disclaimer.textContent = disclaimer.dataset.template.replace("{office}", view.office);
  byId("share").href = location.href;
}

// History: the first keystroke after a settled state opens a new entry, further keystrokes
// update it, and "change" settles it; so Back returns to the previous answers.
let editing = false;
function update(mode) {
  const q = query();
  const url = q ? `${location.pathname}?${q}` : location.pathname;
  if (mode === "type" && !editing) {
    history.pushState(null, "", url);
    editing = true;
  } else if (mode === "type" || mode === "settle") {
    history.replaceState(null, "", url);
    if (mode === "settle") editing = false;
  }
  const started = performance.now();
  try {
    render(JSON.parse(estimator.estimate(q, today())));
  } catch (error) {
    // The engine refuses bad input with messages; this is for the unforeseen.
    console.error(error);
    clearResult(words.tFailed);
  }
  root.dataset.lastEvaluationMs = String(performance.now() - started);
}

async function start() {
  try {
    const [glue, rules] = await Promise.all([
      import(root.dataset.glue),
      fetch(root.dataset.rules).then((r) => {
        if (!r.ok) throw new Error(`rules: ${r.status}`);
        return r.text();
      }),
    ]);
    await glue.default({ module_or_path: root.dataset.wasm });
    estimator = new glue.Estimator(rules);
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
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    update("settle");
    const summary = byId("error-summary");
    if (!summary.hidden) summary.focus();
    else byId("result").scrollIntoView();
  });
  window.addEventListener("popstate", () => {
    editing = false;
    fillFromQuery();
    update("none");
  });
  byId("print").addEventListener("click", () => window.print());
  root.dataset.ready = "true";
}

start();
