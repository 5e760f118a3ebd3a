// The search page: the site's own index (render::search), searched in the browser.
// Words come from the page's data attributes (templates/strings.zh-CN.yaml); nothing leaves
// the site. A query loads search/index.json, the dictionary buckets of its character pairs,
// and then the pieces (a region's documents) that hold them all, in the order of their
// codes, until a page of results is found; each candidate is checked by substring.
(() => {
  "use strict";
  const root = document.getElementById("search");
  if (!root || !window.fetch) return;
  const d = root.dataset;
  const fill = (text, vars) => text.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? vars[k] : ""));
  const PAGE = 20;          // results per page
  const PIECES_PER_PAGE = 4; // pieces loaded at most per page of results, to bound a query's load
  const WORD = /[\p{Alphabetic}\p{N}]/u;
  const NOT_WORD = /[^\p{Alphabetic}\p{N}]+/u;
  const NATION = "000000";

  // As render::search::normalize: full-width forms as ASCII, ideographic space as space,
  // ASCII letters in lower case. Keeps the length in UTF-16 units, so places carry over.
  const norm = (s) => s
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFEE0))
    .replace(/\u3000/g, " ")
    .replace(/[A-Z]/g, (c) => c.toLowerCase());
  const termsOf = (q) => norm(q).split(NOT_WORD).filter((t) => t && WORD.test(t));
  const gramsOf = (term) => {
    const cs = Array.from(term);
    if (cs.length === 1) return cs;
    const out = [];
    for (let i = 0; i + 1 < cs.length; i++) out.push(cs[i] + cs[i + 1]);
    return out;
  };
  const bucketOf = (gram, buckets) => {
    let h = 0;
    for (const c of gram) h = (Math.imul(h, 31) + c.codePointAt(0)) >>> 0;
    return h % buckets;
  };

  const form = document.getElementById("search-form");
  const q = document.getElementById("q");
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  const more = document.getElementById("search-more");
  const regionBox = document.getElementById("search-regions");
  const regionList = regionBox.querySelector("ul");
  const help = document.getElementById("search-help");
  const sel = (name) => form.elements.namedItem(name);
  const FACETS = ["level", "status", "year", "genre", "audience", "item"];

  const base = d.index.replace(/index\.json$/, "");
  const cache = new Map();
  const getJSON = (path) => {
    if (!cache.has(path)) {
      cache.set(path, fetch(base + path).then((r) => {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      }));
    }
    return cache.get(path);
  };
  let index = null;

  const option = (value, label) => {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = label;
    return o;
  };
  const fillSelect = (select, entries) => {
    const keep = select.value;
    select.replaceChildren(option("", d.any));
    for (const [value, label] of entries) select.append(option(value, label));
    select.value = entries.some(([v]) => v === keep) ? keep : "";
  };
  const childrenOf = (code) => {
    const at = index.regions.findIndex((r) => r[0] === code);
    return index.regions.filter((r) => r[3] === at && at >= 0).map((r) => [r[0], r[1]]);
  };
  const regionTree = () => {
    const provinces = index.regions.filter((r) => r[3] === -1 && r[2] === 2).map((r) => [r[0], r[1]]);
    fillSelect(sel("province"), provinces);
    const p = sel("province").value;
    fillSelect(sel("prefecture"), p ? childrenOf(p) : []);
    sel("prefecture").disabled = !p;
    const f = sel("prefecture").value;
    fillSelect(sel("county"), f ? childrenOf(f) : []);
    sel("county").disabled = !f;
  };

  const setup = (idx) => {
    index = idx;
    const byFacet = {};
    for (const f of index.facets) {
      const [kind, value] = [f.key.slice(0, f.key.indexOf(":")), f.key.slice(f.key.indexOf(":") + 1)];
      (byFacet[kind] = byFacet[kind] || []).push([value, f.label]);
    }
    (byFacet.year || []).sort((a, b) => b[0].localeCompare(a[0]));
    for (const kind of FACETS) fillSelect(sel(kind), byFacet[kind] || []);
    index.bit = new Map(index.facets.map((f, i) => [f.key, i]));
    index.place = new Map(index.regions.map((r, i) => [r[0], i]));
    regionTree();
  };

  // The query as the form holds it.
  const readForm = () => {
    const query = { q: q.value.trim(), terms: termsOf(q.value), facets: {} };
    for (const kind of FACETS) if (sel(kind).value) query.facets[kind] = sel(kind).value;
    query.region = sel("county").value || sel("prefecture").value || sel("province").value || "";
    return query;
  };
  const toURL = () => {
    const params = new URLSearchParams();
    for (const name of ["q", "province", "prefecture", "county", ...FACETS]) {
      const v = name === "q" ? q.value.trim() : sel(name).value;
      if (v) params.set(name, v);
    }
    const s = params.toString();
    history.replaceState(null, "", location.pathname + (s ? "?" + s : ""));
  };

  // Which pieces a region filter keeps: those inside it and those of the regions above it,
  // whose documents apply there.
  const regionTest = (code) => {
    if (!code) return () => true;
    const above = new Set([NATION]);
    let at = index.place.get(code);
    while (at !== undefined && at >= 0) {
      const r = index.regions[at];
      above.add(r[0]);
      at = r[3];
    }
    const prefix = code.endsWith("0000") ? code.slice(0, 2) : code.endsWith("00") ? code.slice(0, 4) : code;
    return (piece) => piece.startsWith(prefix) || above.has(piece);
  };
  const hasBit = (hex, bit) => {
    const n = parseInt(hex[bit >> 2] || "0", 16);
    return (n & (1 << (bit & 3))) !== 0;
  };

  // The pieces that may hold results, in the order of their codes.
  const candidates = async (query) => {
    let ids = null;
    const grams = [...new Set(query.terms.flatMap(gramsOf))];
    const buckets = await Promise.all(grams.map((g) => getJSON(`g/${bucketOf(g, index.buckets)}.json`)));
    for (let i = 0; i < grams.length; i++) {
      const deltas = buckets[i][grams[i]];
      if (!deltas) return [];
      let last = 0;
      const these = new Set(deltas.map((x) => (last += x)));
      ids = ids ? ids.filter((id) => these.has(id)) : [...these];
    }
    if (!ids) ids = index.pieces.map((_, i) => i);
    const inRegion = regionTest(query.region);
    const bits = Object.entries(query.facets).map(([k, v]) => index.bit.get(`${k}:${v}`));
    if (bits.some((b) => b === undefined)) return [];
    return ids.filter((id) => {
      const [code, hex] = index.pieces[id];
      return inRegion(code) && bits.every((b) => hasBit(hex, b));
    });
  };

  const docMatches = (doc, facets) => {
    const [, , , level, status, , year, genre, audiences, items] = doc;
    const f = facets;
    return (!f.level || f.level === level) && (!f.status || f.status === status)
      && (!f.year || f.year === year) && (!f.genre || f.genre === genre)
      && (!f.audience || audiences.includes(f.audience)) && (!f.item || items.includes(f.item));
  };

  // The results of one piece.
  const scan = (piece, query) => {
    const found = [];
    const ok = piece.d.map((doc) => docMatches(doc, query.facets));
    for (const [di, kind, url, heading, text] of piece.r) {
      if (!ok[di]) continue;
      const doc = piece.d[di];
      if (!query.terms.length) {
        if (kind === 0) found.push({ doc, kind, url: doc[0], heading, text });
        continue;
      }
      const hay = norm(kind === 0 ? doc[1] + " " + text : heading + " " + text);
      if (query.terms.every((t) => hay.includes(t))) {
        found.push({ doc, kind, url: kind === 0 ? doc[0] : url, heading, text: kind === 0 ? doc[1] + " " + text : text });
      }
    }
    // Titles first, then items, then clauses.
    return found.sort((a, b) => a.kind - b.kind);
  };

  // The text around the first term, with every term marked.
  const snippet = (text, terms) => {
    const p = document.createElement("p");
    p.className = "snippet";
    const hay = norm(text);
    let first = terms.length ? Math.min(...terms.map((t) => hay.indexOf(t)).filter((i) => i >= 0)) : 0;
    if (!Number.isFinite(first)) first = 0;
    const start = Math.max(0, first - 30);
    const end = Math.min(text.length, start + 120);
    const marks = [];
    for (const t of terms) {
      let i = hay.indexOf(t, start);
      while (i >= 0 && i < end) {
        marks.push([i, Math.min(end, i + t.length)]);
        i = hay.indexOf(t, i + t.length);
      }
    }
    marks.sort((a, b) => a[0] - b[0]);
    let at = start;
    if (start > 0) p.append("…");
    for (const [s, e] of marks) {
      if (s < at) continue;
      p.append(text.slice(at, s));
      const m = document.createElement("mark");
      m.textContent = text.slice(s, e);
      p.append(m);
      at = e;
    }
    p.append(text.slice(at, end));
    if (end < text.length) p.append("…");
    return p;
  };

  const kindWords = [d.kindTitle, d.kindRule, d.kindClause];
  const show = (result, terms) => {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = result.url;
    const [, title, region, level, status, date] = result.doc;
    a.textContent = result.kind === 0 ? title : `${title} · ${result.heading}`;
    const h = document.createElement("p");
    h.className = "result-title";
    h.append(a);
    const meta = document.createElement("p");
    meta.className = "muted result-meta";
    meta.textContent = [kindWords[result.kind], `${region}（${level}）`, `${d.status}：${status}`, date].join(" · ");
    li.append(h, meta, snippet(result.text, terms));
    list.append(li);
  };

  let run = 0;
  let state = null;
  const page = async () => {
    const mine = run;
    more.hidden = true;
    status.textContent = d.loading;
    let loaded = 0;
    let added = 0;
    try {
      while (state.next < state.ids.length && added < PAGE && loaded < PIECES_PER_PAGE) {
        const code = index.pieces[state.ids[state.next]][0];
        state.next++;
        const piece = await getJSON(`p/${code}.json`);
        if (mine !== run) return;
        loaded++;
        const found = scan(piece, state.query);
        state.pending.push(...found);
        added += found.length;
      }
    } catch (e) {
      status.textContent = d.error;
      return;
    }
    const batch = state.pending.splice(0, PAGE);
    for (const r of batch) show(r, state.query.terms);
    state.shown += batch.length;
    const left = state.pending.length > 0 || state.next < state.ids.length;
    if (state.shown === 0 && !left) {
      status.textContent = state.query.terms.length ? fill(d.none, { q: state.query.q }) : d.noneFilters;
      help.hidden = false;
      return;
    }
    status.textContent = fill(left ? d.countMore : d.count, { n: String(state.shown) });
    more.hidden = !left;
  };

  const regionsNamed = (terms) => {
    regionList.replaceChildren();
    if (!terms.length) { regionBox.hidden = true; return; }
    const hits = index.regions.filter((r) => terms.every((t) => norm(r[1]).includes(t))).slice(0, 10);
    for (const r of hits) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = r[2] === 0 ? `/counties/${r[0]}/` : `/regions/${r[0]}/`;
      a.textContent = r[1];
      li.append(a, ` ${[d.levelCounty, d.levelPrefecture, d.levelProvince, d.levelNation][r[2]] || ""}`);
      regionList.append(li);
    }
    regionBox.hidden = hits.length === 0;
  };

  const search = async () => {
    run++;
    const mine = run;
    list.replaceChildren();
    help.hidden = true;
    const query = readForm();
    toURL();
    if (!query.terms.length && !Object.keys(query.facets).length && !query.region) {
      regionsNamed([]);
      status.textContent = q.value.trim() ? fill(d.none, { q: q.value.trim() }) : d.empty;
      help.hidden = !q.value.trim();
      more.hidden = true;
      return;
    }
    status.textContent = d.loading;
    try {
      const ids = await candidates(query);
      if (mine !== run) return;
      regionsNamed(query.terms);
      state = { query, ids, next: 0, pending: [], shown: 0 };
      await page();
    } catch (e) {
      status.textContent = d.error;
    }
  };

  form.addEventListener("submit", (e) => { e.preventDefault(); search(); });
  for (const kind of FACETS) sel(kind).addEventListener("change", search);
  sel("province").addEventListener("change", () => { sel("prefecture").value = ""; sel("county").value = ""; regionTree(); search(); });
  sel("prefecture").addEventListener("change", () => { sel("county").value = ""; regionTree(); search(); });
  sel("county").addEventListener("change", search);
  more.addEventListener("click", () => page());

  getJSON("index.json").then((idx) => {
    setup(idx);
    const params = new URLSearchParams(location.search);
    q.value = params.get("q") || "";
    for (const name of ["province", "prefecture", "county"]) {
      sel(name).value = params.get(name) || "";
      regionTree();
    }
    for (const kind of FACETS) sel(kind).value = params.get(kind) || "";
    if (["province", ...FACETS].some((name) => sel(name).value)) document.getElementById("filters").open = true;
    if ([...params.keys()].length) search();
    else status.textContent = d.empty;
  }).catch(() => { status.textContent = d.error; });
})();
