// Replays the estimator fuzz corpus through the WebAssembly itself (in Node): each input's
// rules through the module's constructor, its query through `estimate`. Writes each answer
// (the JSON, `error: …` where the constructor refused the rules, `trap: …` where the module
// trapped) for the Rust test to compare with the native build.
//   node fuzz-replay.mjs GLUE.js MODULE.wasm CASES.json OUT.json CLAUSE_LINKS
// (CASES.json: [{rules: hex, query, today}])
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [gluePath, wasmPath, casesPath, outPath, clauseLinks] = process.argv.slice(2);
const glue = await import(pathToFileURL(gluePath).href);
glue.initSync({ module: readFileSync(wasmPath) });
const cases = JSON.parse(readFileSync(casesPath, "utf8"));
const answers = cases.map((c) => {
  let estimator;
  try {
    estimator = new glue.Estimator(Buffer.from(c.rules, "hex"), clauseLinks);
  } catch (e) {
    // A refused file is an Error with the module's words; a trap is a WebAssembly.RuntimeError.
    return e instanceof WebAssembly.RuntimeError ? `trap: ${e.message}` : `error: ${e.message}`;
  }
  try {
    return estimator.estimate(c.query, c.today);
  } catch (e) {
    return `trap: ${e.message}`;
  } finally {
    estimator.free();
  }
});
writeFileSync(outPath, JSON.stringify(answers));
console.log(`fuzz corpus: ${cases.length} inputs through the wasm`);
