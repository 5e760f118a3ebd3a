// The estimator served by nginx with the headers `portal config nginx` writes, in Debian's
// headless Chromium: the Content-Security-Policy arrives as a header (frame-ancestors and
// all) and the page still computes; the printout names clauses and the address that gives
// the estimate again; the no-JS notice moves nothing.
//   node nginx.mjs BASE_URL [SCREENSHOT_DIR]
// Prints a line per check and a closing "N passed, N failed"; exits 1 on any failure.
import { join } from "node:path";
import { chromium } from "playwright-core";
import { chromiumArgs } from "./static-server.mjs";

const [base, shotDir] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: chromiumArgs });
let passed = 0, failed = 0;
const check = (ok, what, detail = "") => {
  if (ok) passed++; else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${ok ? "" : ` — ${detail}`}`);
};
const ready = (page) => page.waitForSelector("[data-estimator][data-ready=true]", { state: "attached", timeout: 15000 });
const url = `${base}/counties/533401/estimate/`;

try {
  const context = await browser.newContext({ viewport: { width: 412, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  page.on("console", (m) => { if (m.type() === "error" || /Content.Security.Policy|frame-ancestors/i.test(m.text())) problems.push(m.text()); });
  const response = await page.goto(`${url}#registered_poor=true&pigs=3&cash_crop_mu=3&date=2017-06-01`);
  const headers = response.headers();
  check(/frame-ancestors 'none'/.test(headers["content-security-policy"] || "") && /'wasm-unsafe-eval'/.test(headers["content-security-policy"]),
    "the page came with its policy as a header", headers["content-security-policy"]);
  await ready(page);
  const total = await page.$eval("#estimate-total", (e) => e.dataset.min);
  check(total === "2500", "the estimator computes through nginx, under the header's policy", total);
  check(problems.length === 0, "no script error and no policy violation", problems.join(" | "));
  const shift = await page.evaluate(() => new Promise((done) => {
    let sum = 0;
    new PerformanceObserver((list) => { for (const e of list.getEntries()) if (!e.hadRecentInput) sum += e.value; })
      .observe({ type: "layout-shift", buffered: true });
    setTimeout(() => done(sum), 500);
  }));
  check(shift < 0.01, `layout shift while the script starts: ${shift.toFixed(4)}`, String(shift));
  const figures = await page.$$eval("#result-schedule figure", (all) => all.map((f) => f.lastElementChild?.tagName));
  check(figures.length > 0 && figures.every((t) => t === "FIGCAPTION"), "each schedule figure ends with its figcaption", figures.join(","));

  // The printout: every clause by number and address, and the address that gives it again.
  await page.emulateMedia({ media: "print" });
  const printed = await page.evaluate(() => ({
    address: document.getElementById("print-url").textContent,
    addressShown: getComputedStyle(document.getElementById("print-address")).display !== "none",
    notComputed: getComputedStyle(document.getElementById("print-not-computed")).display,
    clauses: [...document.querySelectorAll("#result-lines a.clause-link")].map((a) => getComputedStyle(a, "::after").content),
  }));
  check(printed.addressShown && printed.address.startsWith(base) && /#.*pigs=3/.test(printed.address) && printed.address.includes("date=2017-06-01"),
    "the printout gives the full address of this estimate, answers and date in it", JSON.stringify(printed));
  check(printed.notComputed === "none", "a computed printout does not say it is not computed", printed.notComputed);
  check(printed.clauses.length === 2 && printed.clauses.every((c) => /c\d[\w-]*：http:\/\/.*#c\d/.test(c)),
    "each line's clause is printed with its number and full address", printed.clauses.join(" | "));
  await context.close();

  // Printed before the engine loaded: it says the estimate was not computed; no "—".
  const early = await browser.newContext({ viewport: { width: 412, height: 900 } });
  const waiting = await early.newPage();
  await waiting.route("**/*.wasm", () => {}); // never answered
  await waiting.goto(url, { waitUntil: "domcontentloaded" });
  await waiting.emulateMedia({ media: "print" });
  const before = await waiting.evaluate(() => ({
    notComputed: getComputedStyle(document.getElementById("print-not-computed")).display,
    total: getComputedStyle(document.querySelector("#result .total")).display,
    text: document.getElementById("result").innerText,
  }));
  check(before.notComputed !== "none" && before.total === "none" && !before.text.includes("—"),
    "printed before the engine loaded: says it was not computed, and no dash", JSON.stringify(before));
  if (shotDir) await waiting.screenshot({ path: join(shotDir, "estimate-print-early-412.png"), fullPage: true });
  await early.close();
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
