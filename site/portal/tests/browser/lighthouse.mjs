// Lighthouse (npm, mobile defaults: simulated Slow 4G and a 4× slower CPU) on each page kind of
// the built site as nginx serves it, in Debian's Chromium. Prints a table of scores and fails
// below the budgets: performance ≥ 95, accessibility, best practices and SEO 100.
// Each page is measured RUNS times and its median run counts, as Lighthouse's documentation
// advises for performance's run-to-run variance; the first run of a page in a fresh browser
// also pays for loading the CJK system fonts, which a reader's phone has loaded long before.
//   node lighthouse.mjs BASE_URL [REPORT_DIR]
// REPORT_DIR, when given, gets each page's full report as HTML, to read what cost points.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";

const [base, reportDir] = process.argv.slice(2);
// One page of each kind; the estimator with a household's facts, as a shared link opens it.
const pages = [
  ["home", "/"],
  ["search", "/search/"],
  ["region", "/regions/530000/"],
  ["county", "/counties/533401/"],
  ["policy", "/policies/shangri-la-2017-industry/"],
  ["estimator with facts", "/counties/533401/estimate/#registered_poor=true&pigs=3&cash_crop_mu=3&date=2017-06-01"],
  ["comparison", "/compare/"],
  ["open data", "/data/"],
  ["for offices", "/for-offices/"],
];
const budget = { performance: 95, accessibility: 100, "best-practices": 100, seo: 100 };
const categories = Object.keys(budget);
const RUNS = Number(process.env.LIGHTHOUSE_RUNS || 5);
const median = (runs) => [...runs].sort((a, b) => a.lhr.categories.performance.score - b.lhr.categories.performance.score)[Math.floor(runs.length / 2)];

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROMIUM || "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
let failures = 0;
try {
  console.log(`${"page".padEnd(22)} ${categories.map((c) => c.padStart(14)).join(" ")}   LCP      TBT    CLS    performance of each run`);
  for (const [kind, path] of pages) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const run = await lighthouse(`${base}${path}`, { port: chrome.port, output: "html", logLevel: "error", onlyCategories: categories });
      if (!run) throw new Error(`Lighthouse gave no result for ${path}`);
      if (run.lhr.runtimeError) throw new Error(`${path}: ${run.lhr.runtimeError.code} ${run.lhr.runtimeError.message}`);
      runs.push(run);
    }
    const result = median(runs);
    const lhr = result.lhr;
    const all = runs.map((r) => Math.round(r.lhr.categories.performance.score * 100)).join("/");
    const scores = Object.fromEntries(categories.map((c) => [c, Math.round((lhr.categories[c].score ?? 0) * 100)]));
    const low = categories.filter((c) => scores[c] < budget[c]);
    failures += low.length;
    const audit = (id) => lhr.audits[id]?.displayValue ?? "?";
    console.log(`${kind.padEnd(22)} ${categories.map((c) => String(scores[c]).padStart(14)).join(" ")}   ${audit("largest-contentful-paint").padEnd(8)} ${audit("total-blocking-time").padEnd(6)} ${audit("cumulative-layout-shift").padEnd(6)} runs ${all}${low.length ? "   BELOW BUDGET" : ""}`);
    for (const c of low) {
      // What cost the points, so a failure says where to look.
      for (const ref of lhr.categories[c].auditRefs) {
        const a = lhr.audits[ref.id];
        if (ref.weight > 0 && a && a.score !== null && a.score < 1) console.log(`    ${c}: ${a.id} (${a.score}) ${a.displayValue ?? ""} — ${a.title}`);
      }
    }
    if (reportDir) {
      mkdirSync(reportDir, { recursive: true });
      writeFileSync(join(reportDir, `${kind.replace(/\W+/g, "-")}.html`), result.report);
    }
  }
} finally {
  await chrome.kill();
}
console.log(failures === 0 ? "lighthouse: every page kind within budget" : `lighthouse: ${failures} scores below budget`);
process.exit(failures === 0 ? 0 : 1);
