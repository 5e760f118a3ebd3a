// The comparison split by prefecture (a project above WHOLE_COUNTIES counties): picking
// counties with the check boxes, by mouse and by keyboard, leaves only theirs in view.
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
    check(JSON.stringify(picked) === JSON.stringify([codes[0], codes[2]]), `${path}: two picked, only they in view (${picked.join(", ")})`);
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
