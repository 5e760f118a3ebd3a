// Runs axe-core (WCAG 2.1 A and AA) on one page of each kind of a built site, in Debian's
// headless Chromium, at phone and desktop width. Optionally saves screenshots.
//
//   node axe.mjs SITE_DIR [SCREENSHOT_DIR]
//
// Serves SITE_DIR on 127.0.0.1 itself; prints one line per page and a closing
// "N passed, N failed"; exits 1 on any violation.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { serve, chromiumArgs } from "./static-server.mjs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");
const [siteDir, shotDir] = process.argv.slice(2);
if (!siteDir) {
  console.error("usage: node axe.mjs SITE_DIR [SCREENSHOT_DIR]");
  process.exit(2);
}
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";

const server = await serve(siteDir);
const base = server.base;

const pages = (process.env.AXE_PAGES || "/ /search/ /counties/533401/ /counties/533401/estimate/ /policies/qinyuan-2017-industry/ /policies/shangri-la-2017-industry/ /policies/xixiang-2017-research-report/ /compare/ /data/ /for-offices/ /no-such-page/").split(" ");
const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: chromiumArgs,
});
let passed = 0, failed = 0;
try {
  for (const width of [412, 1280]) {
    // bypassCSP: the site forbids injected scripts, which is how axe gets in.
    const context = await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    const external = [];
    page.on("request", (r) => { if (!r.url().startsWith(base)) external.push(r.url()); });
    for (const path of pages) {
      await page.goto(base + path, { waitUntil: "load" });
      await page.addScriptTag({ path: axePath });
      const result = await page.evaluate(async () =>
        await globalThis.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
      // And two best-practice rules outside WCAG's tags: landmarks named apart, headings in order.
      const practice = await page.evaluate(async () =>
        await globalThis.axe.run(document, { runOnly: { type: "rule", values: ["landmark-unique", "heading-order"] } }));
      result.violations.push(...practice.violations);
      const problems = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ")}`);
      if (external.length) problems.push(`third-party requests: ${external.join(", ")}`);
      external.length = 0;
      if (problems.length) {
        failed++;
        console.log(`FAIL ${width}px ${path}\n  ${problems.join("\n  ")}`);
      } else {
        passed++;
        console.log(`ok   ${width}px ${path} (${result.passes.length} rules passed)`);
      }
      if (shotDir) {
        await mkdir(shotDir, { recursive: true });
        const name = (path.replace(/\//g, "_").replace(/^_|_$/g, "") || "home") + `-${width}.png`;
        await page.screenshot({ path: join(shotDir, name), fullPage: true });
      }
    }
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
