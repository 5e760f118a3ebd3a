// The bytes each query loads on a built site (what a server sends, gzipped), for the
// figures: `node search-load.mjs SITE_DIR [QUERY_STRING ...]`. Prints a line per query.
import { serve, chromiumArgs, sentFor } from "./static-server.mjs";
import { chromium } from "playwright-core";

const [siteDir, ...queries] = process.argv.slice(2);
const server = await serve(siteDir);
const base = server.base;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: chromiumArgs });
const sent = (url) => sentFor(siteDir, url);
try {
  for (const query of ["", ...(queries.length ? queries : ["q=日光温室", "q=蜂", "q=补助", "q=火箭发射", "status=失效&province=610000"])]) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const urls = [];
    page.on("request", (r) => urls.push(r.url()));
    const started = Date.now();
    await page.goto(`${base}/search/${query ? "?" + query : ""}`, { waitUntil: "networkidle" });
    for (let i = 0; i < 600; i++) {
      const done = await page.evaluate(() => {
        const s = document.getElementById("search-status");
        return !!(s && s.textContent && !s.textContent.endsWith("…"));
      });
      if (done) break;
      await page.waitForTimeout(50);
    }
    const ms = Date.now() - started;
    let total = 0;
    for (const u of urls) total += await sent(u);
    const status = await page.$eval("#search-status", (s) => s.textContent);
    const pieces = urls.filter((u) => u.includes("/search/p/")).length;
    const buckets = urls.filter((u) => u.includes("/search/g/")).length;
    console.log(`${decodeURIComponent(query) || "(first load)"}: ${urls.length} requests (${buckets} buckets, ${pieces} pieces), ${total} B gzipped with the page, ${ms} ms — ${status}`);
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}
