// The bytes and time each query costs with the site's own search and with a Pagefind index
// of the same site (written by benches/search-compare.sh into SITE_DIR/pagefind/), for the
// figures: `node search-compare.mjs SITE_DIR [QUERY ...]`. Prints a line per query and engine.
// Bytes are what a server sends, as static-server.mjs's sentBytes counts them (Pagefind's own
// files are gzip already and are counted as they are).
import { serve, chromiumArgs, sentFor } from "./static-server.mjs";
import { chromium } from "playwright-core";

const [siteDir, ...given] = process.argv.slice(2);
const queries = given.length ? given : ["日光温室", "蜂", "补助", "火箭发射"];
const server = await serve(siteDir);
const base = server.base;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: chromiumArgs });
const sent = (url) => sentFor(siteDir, url);
// Pagefind's default interface shows five results at a time; the probe loads what it needs
// to show them (each result's title, address and excerpt).
const probe = `<!doctype html><meta charset="utf-8"><title>probe</title><script type="module">
const pagefind = await import("/pagefind/pagefind.js");
await pagefind.init();
const q = new URLSearchParams(location.search).get("q");
const found = await pagefind.search(q);
const shown = await Promise.all(found.results.slice(0, 5).map((r) => r.data()));
window.answer = { count: found.results.length, titles: shown.map((d) => d.meta.title) };
</script>`;

const measure = async (url, done, describe) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.route(`${base}/pagefind-probe/**`, (route) => route.fulfill({ body: probe, contentType: "text/html" }));
  const urls = [];
  page.on("request", (r) => urls.push(r.url()));
  const started = Date.now();
  await page.goto(url);
  // Polled from outside: the site's Content Security Policy forbids waitForFunction's eval.
  for (let i = 0; !(await page.evaluate(done)); i++) {
    if (i > 2400) throw new Error(`${url}: no answer in 2 minutes`);
    await page.waitForTimeout(50);
  }
  const ms = Date.now() - started;
  let bytes = 0;
  for (const u of urls) if (!u.includes("/pagefind-probe/")) bytes += await sent(u);
  const said = await page.evaluate(describe);
  await context.close();
  return { requests: urls.length, bytes, ms, said };
};

try {
  for (const q of queries) {
    const ours = await measure(
      `${base}/search/?q=${encodeURIComponent(q)}`,
      () => { const s = document.getElementById("search-status"); return !!(s && s.textContent && !s.textContent.endsWith("…")); },
      () => document.getElementById("search-status").textContent,
    );
    const theirs = await measure(
      `${base}/pagefind-probe/?q=${encodeURIComponent(q)}`,
      () => !!window.answer,
      () => `${window.answer.count} results: ${window.answer.titles.join(" | ")}`.slice(0, 160),
    );
    for (const [name, m] of [["portal", ours], ["pagefind", theirs]]) {
      console.log(`${q}\t${name}\t${m.requests} requests\t${m.bytes} B\t${m.ms} ms\t${m.said}`);
    }
  }
} finally {
  await browser.close();
  server.close();
}
