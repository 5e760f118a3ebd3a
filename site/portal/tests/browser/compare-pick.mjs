// The comparison split by prefecture (a project above WHOLE_COUNTIES counties): picking
// counties with the check boxes, by mouse and by keyboard, leaves only theirs in view; the pick
// is kept in the fragment, travels with the links to the prefecture's other pages and survives
// a reload.
//
//   node compare-pick.mjs SITE_DIR PREFECTURE
//
// Prints one line per check and "N passed, N failed"; exits 1 on any failure.
import { serve, chromiumArgs } from "./static-server.mjs";
import { chromium } from "playwright-core";

const [siteDir, province] = process.argv.slice(2);
if (!siteDir || !province) {
  console.error("usage: node compare-pick.mjs SITE_DIR PREFECTURE");
  process.exit(2);
}
const server = await serve(siteDir);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: chromiumArgs });
let passed = 0, failed = 0;
const check = (ok, what) => { ok ? passed++ : failed++; console.log(`${ok ? "ok  " : "FAIL"} ${what}`); };
const shown = (page, selector) => page.$$eval(selector, (els) =>
  [...new Set(els.filter((e) => e.getClientRects().length > 0).map((e) => e.dataset.county))]);
try {
  const page = await (await browser.newContext({ viewport: { width: 412, height: 900 } })).newPage();
  for (const path of [`/compare/${province}/pigs/`, `/compare/${province}/`]) {
    await page.goto(server.base + path, { waitUntil: "load" });
    const codes = await page.$$eval(".pick input", (boxes) => boxes.map((b) => b.value));
    const all = await shown(page, "tr[data-county]");
    check(codes.length > 2 && all.length === codes.length, `${path}: every county in view before picking (${all.length} of ${codes.length})`);
    await page.check(`#pick-${codes[0]}`);
    // By keyboard: focus the third box and press Space.
    await page.focus(`#pick-${codes[2]}`);
    await page.keyboard.press("Space");
    const picked = await shown(page, "tr[data-county]");
    const two = JSON.stringify([codes[0], codes[2]]);
    check(JSON.stringify(picked) === two, `${path}: two picked, only they in view (${picked.join(", ")})`);
    const fragment = `#c=${codes[0]},${codes[2]}`;
    check(new URL(page.url()).hash === fragment, `${path}: the pick is in the fragment (${new URL(page.url()).hash})`);
    if (path.endsWith("/pigs/")) {
      // The pick travels with the link to another item, and survives a reload.
      await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click('a[data-carry-pick][href*="/cattle/"]')]);
      const there = await shown(page, "tr[data-county]");
      check(page.url().endsWith(`/cattle/${fragment}`) && JSON.stringify(there) === two, `the pick travels to another item's page (${page.url()})`);
      await page.reload({ waitUntil: "load" });
      check(JSON.stringify(await shown(page, "tr[data-county]")) === two, "and survives a reload");
    }
    await page.uncheck(`#pick-${codes[0]}`);
    await page.uncheck(`#pick-${codes[2]}`);
    check((await shown(page, "tr[data-county]")).length === codes.length, `${path}: none picked, all in view again`);
  }
} finally {
  await browser.close();
  server.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
