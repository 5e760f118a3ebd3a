// The search page as readers use it, in Debian's headless Chromium: Chinese queries (a word
// inside a compound, an item name, a single character, no results), filters alone and with
// words, the header's box and the results by keyboard only, axe-core on the page with
// results, no layout shift while results arrive, no dead form without JavaScript, no request
// leaving 127.0.0.1, and the bytes each query loads (gzipped, as a server
// sends each file).
//
//   node search.mjs SITE_DIR [SCREENSHOT_DIR]
//
// Prints one line per check, the loads as "load: …" lines, and "N passed, N failed".
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { createRequire } from "node:module";
import { serve, chromiumArgs, sentFor } from "./static-server.mjs";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");
const [siteDir, shotDir] = process.argv.slice(2);
if (!siteDir) {
  console.error("usage: node search.mjs SITE_DIR [SCREENSHOT_DIR]");
  process.exit(2);
}
const server = await serve(siteDir);
const base = server.base;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: chromiumArgs });
let passed = 0, failed = 0;
const check = (ok, what, detail = "") => {
  if (ok) { passed++; console.log(`ok   ${what}`); }
  else { failed++; console.log(`FAIL ${what}${detail ? `\n  ${detail}` : ""}`); }
};

// Bytes a server sends for a path: its .gz copy where the build wrote one, else it gzipped.
const sent = (path) => sentFor(siteDir, new URL(path, base));

const context = await browser.newContext({ viewport: { width: 412, height: 900 } });
const page = await context.newPage();
const external = [];
let requests = [];
page.on("request", (r) => {
  if (!r.url().startsWith(base)) external.push(r.url());
  else requests.push(r.url());
});
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));
page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });

// Until the status says the search is done (polled from here: the page's CSP forbids the
// eval that waitForFunction's polling uses).
const settle = async () => {
  for (let i = 0; i < 300; i++) {
    const done = await page.evaluate(() => {
      const s = document.getElementById("search-status");
      return !!(s && s.textContent && !s.textContent.endsWith("…"));
    });
    if (done) return;
    await page.waitForTimeout(50);
  }
  throw new Error("the search did not finish in 15 s");
};
const results = () => page.$$eval("#search-results li", (lis) => lis.map((li) => ({
  title: li.querySelector(".result-title a")?.textContent || "",
  href: li.querySelector(".result-title a")?.getAttribute("href") || "",
  meta: li.querySelector(".result-meta")?.textContent || "",
  snippet: li.querySelector(".snippet")?.textContent || "",
  marks: [...li.querySelectorAll(".snippet mark")].map((m) => m.textContent),
})));
const statusText = () => page.$eval("#search-status", (s) => s.textContent);
const loadOf = async (what, urls) => {
  let total = 0;
  for (const u of urls) total += await sent(u);
  console.log(`load: ${what}: ${urls.length} requests, ${total} bytes sent (gzip)`);
  return total;
};

try {
  // First load: the page, its stylesheet, script and index.json.
  requests = [];
  await page.goto(base + "/search/", { waitUntil: "networkidle" });
  await settle();
  const first = await loadOf("first load of /search/", requests);
  check(first <= 100 * 1024, `first load of /search/ is ${first} B ≤ 100 KB gzipped`);
  check((await statusText()).includes("请输入搜索词"), "an empty search page says what to do", await statusText());

  // A word inside a compound: 日光温室 in 新建日光温室大棚.
  requests = [];
  await page.goto(base + "/search/?q=" + encodeURIComponent("日光温室"), { waitUntil: "networkidle" });
  await settle();
  let found = await results();
  await loadOf("query 日光温室", requests.filter((u) => !u.includes("/assets/") && !u.endsWith("/search/?q=%E6%97%A5%E5%85%89%E6%B8%A9%E5%AE%A4")));
  check(found.some((r) => r.snippet.includes("新建日光温室大棚") && r.marks.includes("日光温室") && r.href.includes("#c")),
    "日光温室 finds the clause with 新建日光温室大棚, marked, linking to its anchor", JSON.stringify(found.slice(0, 3)));
  check(found.every((r) => /（(县级|市级|省级|国家)）/.test(r.meta) && /有效性：/.test(r.meta) && /\d{4}年/.test(r.meta)),
    "every result shows region and level, 有效性 and date", JSON.stringify(found.slice(0, 2)));

  // An item name: 蜂 finds the rule 养蜂 and the item 蜂箱.
  await page.goto(base + "/search/?q=" + encodeURIComponent("蜂"), { waitUntil: "networkidle" });
  await settle();
  found = await results();
  check(found.some((r) => r.meta.startsWith("补助项目") && r.title.includes("养蜂")), "蜂 finds the rule 养蜂", JSON.stringify(found.slice(0, 4)));
  check(found.some((r) => r.snippet.includes("蜂箱")), "蜂 finds the item 蜂箱");
  check(found.some((r) => r.snippet.includes("中蜂")), "蜂 finds 中蜂 in a full text");

  // A region's name.
  await page.goto(base + "/search/?q=" + encodeURIComponent("香格里拉"), { waitUntil: "networkidle" });
  await settle();
  const regions = await page.$$eval("#search-regions a", (as) => as.map((a) => [a.textContent, a.getAttribute("href")]));
  check(regions.some(([name, href]) => name === "香格里拉市" && href === "/counties/533401/"), "香格里拉 finds the county 香格里拉市", JSON.stringify(regions));

  // No results: said plainly, with what to try.
  await page.goto(base + "/search/?q=" + encodeURIComponent("火箭发射"), { waitUntil: "networkidle" });
  await settle();
  check((await results()).length === 0 && (await statusText()).includes("没有找到与“火箭发射”相关的内容"), "a query with no results says so", await statusText());
  check(await page.$eval("#search-help", (p) => !p.hidden && p.textContent.includes("更短的词") && !!p.querySelector('a[href="/"]')),
    "and suggests what to try, with the region tree");
  if (shotDir) {
    await mkdir(shotDir, { recursive: true });
    await page.screenshot({ path: join(shotDir, "search-none-412.png"), fullPage: true });
  }

  // Filters alone: every document of 陕西省 and the regions below it.
  await page.goto(base + "/search/", { waitUntil: "networkidle" });
  await settle();
  await page.click("#filters summary");
  await page.selectOption("#f-province", "610000");
  await settle();
  found = await results();
  const shaanxi = ["高陵区", "西乡县", "平利县"];
  check(found.length >= 3 && found.every((r) => shaanxi.some((n) => r.meta.includes(n))) && found.every((r) => r.meta.startsWith("文件")),
    "the province filter alone lists 陕西's documents, and only those", JSON.stringify(found.map((r) => r.meta)));
  check(page.url().includes("province=610000"), "the filter is in the address, to share", page.url());
  await page.selectOption("#f-prefecture", "610900");
  await settle();
  found = await results();
  check(found.length >= 1 && found.every((r) => r.meta.includes("平利县")), "the prefecture 安康市 narrows to 平利县", JSON.stringify(found.map((r) => r.meta)));
  await page.goto(base + "/search/?status=" + encodeURIComponent("失效"), { waitUntil: "networkidle" });
  await settle();
  found = await results();
  check(found.length >= 4 && found.every((r) => r.meta.includes("有效性：失效")) && !found.some((r) => r.meta.includes("西乡县")),
    "有效性 alone: only the documents recorded 失效 (not 西乡's report)", JSON.stringify(found.map((r) => r.meta)));
  await page.goto(base + "/search/?audience=collective", { waitUntil: "networkidle" });
  await settle();
  const collective = (await results()).length;
  await page.goto(base + "/search/?audience=household", { waitUntil: "networkidle" });
  await settle();
  const household = (await results()).length;
  check(collective >= 1 && household > collective, `audience filters differ (农户 ${household}, 村集体 ${collective})`);
  await page.goto(base + "/search/?item=bee_boxes", { waitUntil: "networkidle" });
  await settle();
  found = await results();
  check(found.length >= 1 && found.every((r) => r.meta.includes("香格里拉市")), "the item 蜂箱 alone finds the documents that pay for hives", JSON.stringify(found.map((r) => r.meta)));

  // Filters with words: 补助 in 香格里拉市 only.
  await page.goto(base + "/search/?q=" + encodeURIComponent("补助") + "&province=530000&prefecture=533400&county=533401", { waitUntil: "networkidle" });
  await settle();
  found = await results();
  check(found.length >= 5 && found.every((r) => r.meta.includes("香格里拉市")) && found.every((r) => r.marks.includes("补助")),
    "补助 with the county filter: only 香格里拉市, the word marked", JSON.stringify(found.slice(0, 2)));
  check(await page.$eval("#f-county", (s) => s.value) === "533401", "the county filter is restored from the address");
  await page.goto(base + "/search/?q=" + encodeURIComponent("补助") + "&level=" + encodeURIComponent("县级") + "&year=2017&genre=" + encodeURIComponent("实施意见"), { waitUntil: "networkidle" });
  await settle();
  found = await results();
  check(found.length >= 1 && found.every((r) => r.meta.includes("沁源县")), "补助 + 县级 + 2017 + 实施意见: only 沁源's 实施意见", JSON.stringify(found.map((r) => r.meta).slice(0, 3)));

  // Keyboard only: the header's box on the home page, Enter, then the first result.
  await page.goto(base + "/", { waitUntil: "networkidle" });
  let focused = "";
  for (let i = 0; i < 15 && focused !== "site-q"; i++) {
    await page.keyboard.press("Tab");
    focused = await page.evaluate(() => document.activeElement?.id || "");
  }
  check(focused === "site-q", "the header's search box is reached by Tab");
  await page.keyboard.type("猪");
  await Promise.all([page.waitForURL(/\/search\/\?q=/), page.keyboard.press("Enter")]);
  await settle();
  check(await page.$eval("#q", (q) => q.value) === "猪" && (await results()).length > 0, "Enter searches: the query is in the page's box and results are shown");
  const firstHref = (await results())[0]?.href || "";
  focused = "";
  for (let i = 0; i < 40 && focused !== firstHref; i++) {
    await page.keyboard.press("Tab");
    focused = await page.evaluate(() => document.activeElement?.getAttribute("href") || "");
  }
  check(focused === firstHref && firstHref !== "", "the first result is reached by Tab", firstHref);
  await Promise.all([page.waitForURL((u) => u.pathname.startsWith("/policies/")), page.keyboard.press("Enter")]);
  const hash = new URL(page.url()).hash;
  check(!hash || (await page.$(`[id="${decodeURIComponent(hash.slice(1))}"]`)) !== null, "Enter opens the result at its anchor", page.url());

  // More results: a common word has more than a page.
  await page.goto(base + "/search/?q=" + encodeURIComponent("贫困"), { waitUntil: "networkidle" });
  await settle();
  const before = (await results()).length;
  const moreShown = await page.$eval("#search-more", (b) => !b.hidden);
  if (moreShown) {
    await page.click("#search-more");
    await settle();
  }
  check(before === 20 && moreShown && (await results()).length > before, `贫困 shows 20, then more on request (${before} → ${(await results()).length})`);

  // axe on the page with results and filters, at 412 px.
  await page.goto(base + "/search/?q=" + encodeURIComponent("温室") + "&province=140000", { waitUntil: "networkidle" });
  await settle();
  if (shotDir) await page.screenshot({ path: join(shotDir, "search-412.png"), fullPage: true });
  const axeContext = await browser.newContext({ viewport: { width: 412, height: 900 }, bypassCSP: true });
  const axePage = await axeContext.newPage();
  await axePage.goto(page.url(), { waitUntil: "networkidle" });
  await axePage.waitForSelector("#search-results li");
  await axePage.addScriptTag({ path: axePath });
  const axe = await axePage.evaluate(async () => {
    const a = await globalThis.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    const b = await globalThis.axe.run(document, { runOnly: { type: "rule", values: ["landmark-unique", "heading-order"] } });
    return [...a.violations, ...b.violations].map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ")}`);
  });
  await axeContext.close();
  check(axe.length === 0, "axe: 0 violations on /search/ with results", axe.join("\n  "));

  // A shared link opens without the page moving under the reader while its results arrive
  // (Chromium's layout-shift entries, summed as CLS is; the budget for "good" is 0.1).
  const shiftContext = await browser.newContext({ viewport: { width: 412, height: 900 } });
  const shiftPage = await shiftContext.newPage();
  await shiftPage.addInitScript(() => {
    window.shifted = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) window.shifted.push(e.value);
    }).observe({ type: "layout-shift", buffered: true });
  });
  for (const path of ["/search/", "/search/?q=" + encodeURIComponent("蜂")]) {
    await shiftPage.goto(base + path, { waitUntil: "networkidle" });
    await shiftPage.waitForTimeout(500);
    const shifts = await shiftPage.evaluate(() => window.shifted);
    const cls = shifts.reduce((a, b) => a + b, 0);
    check(cls < 0.01, `${path}: nothing moves while the page loads (layout shift ${cls.toFixed(3)})`, shifts.join(", "));
  }
  await shiftContext.close();

  // Without JavaScript: no dead form, and the page says what search needs.
  const plainContext = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 412, height: 900 } });
  const plain = await plainContext.newPage();
  await plain.goto(base + "/search/");
  const plainState = await plain.evaluate(() => ({
    form: getComputedStyle(document.getElementById("search")).display,
    banner: document.querySelector("main .banner")?.innerText ?? "",
  }));
  check(plainState.form === "none" && plainState.banner.includes("JavaScript"),
    "without JavaScript the search form is hidden and the page says why, with a way on", JSON.stringify(plainState));
  await plainContext.close();

  check(external.length === 0, "no request left the site", external.join(", "));
  check(errors.length === 0, "no script error", errors.join("\n  "));
} finally {
  await browser.close();
  server.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
