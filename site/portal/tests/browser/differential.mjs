// Runs every case through the estimator's WebAssembly (in Node) and writes the answers, in
// order, for the Rust test to compare with the native engine. Prints the module's size.
//
//   node differential.mjs GLUE.js MODULE.wasm RULES.json CASES.json OUT.json CLAUSE_LINKS
// (RULES.json: {county code: path of its compact rules file})
import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { pathToFileURL } from "node:url";

const [gluePath, wasmPath, rulesPath, casesPath, outPath, clauseLinks] = process.argv.slice(2);
const glue = await import(pathToFileURL(gluePath).href);
const bytes = readFileSync(wasmPath);
const exports = glue.initSync({ module: bytes });
// RULES.json maps each county to its compact rules file, as the site writes it.
const rules = JSON.parse(readFileSync(rulesPath, "utf8"));
const estimators = Object.fromEntries(Object.entries(rules).map(([code, file]) => [code, new glue.Estimator(readFileSync(file), clauseLinks)]));
const cases = JSON.parse(readFileSync(casesPath, "utf8"));
const started = process.hrtime.bigint();
const answers = cases.map((c) => estimators[c.county].estimate(c.query, c.today));
const micros = Number(process.hrtime.bigint() - started) / 1000 / cases.length;
writeFileSync(outPath, JSON.stringify(answers));
// A phone's page estimates on every keystroke for as long as it is open: the module's memory
// must level off rather than grow with use (the allocator reuses what is freed).
const memoryAfter = () => exports.memory.buffer.byteLength;
const afterFirst = memoryAfter();
for (let round = 0; round < 10; round += 1) for (const c of cases) estimators[c.county].estimate(c.query, c.today);
console.log(`wasm memory: ${afterFirst} bytes after ${cases.length} estimates, ${memoryAfter()} bytes after ${11 * cases.length}`);
console.log(`wasm: ${bytes.length} bytes, ${gzipSync(bytes, { level: 9 }).length} gzipped; glue ${readFileSync(gluePath).length} bytes`);
console.log(`wasm: ${cases.length} estimates, ${micros.toFixed(1)} µs each in Node`);
