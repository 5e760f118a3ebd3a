// A static file server on 127.0.0.1 for the browser tests (nothing else is contacted).
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import { join, extname, normalize } from "node:path";

const types = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript",
  ".json": "application/json", ".svg": "image/svg+xml", ".wasm": "application/wasm" };

export async function serve(siteDir) {
  // While down, every request's connection is dropped, as when a phone's network is gone:
  // Chromium's offline emulation no longer reaches a service worker's fetches (since 148).
  let down = false;
  // While a portal, every address is answered with a Wi-Fi's login page, 200 OK.
  let portal = false;
  const server = createServer(async (req, res) => {
    if (down) { req.socket.destroy(); return; }
    if (portal) {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
      res.end("<!doctype html><html lang=zh-CN><meta charset=utf-8><title>Wi-Fi 登录</title><p>请先登录</p></html>");
      return;
    }
    let path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (path.endsWith("/")) path += "index.html";
    const file = normalize(join(siteDir, path));
    if (!file.startsWith(normalize(siteDir))) { res.writeHead(404).end(); return; }
    try {
      const info = await stat(file);
      const target = info.isDirectory() ? join(file, "index.html") : file;
      // Nothing from the browser's HTTP cache: what works offline must come from the service worker.
      res.writeHead(200, { "Content-Type": types[extname(target)] || "application/octet-stream", "Cache-Control": "no-store" });
      res.end(await readFile(target));
    } catch {
      res.writeHead(404, { "Content-Type": "text/html; charset=utf-8" });
      res.end(await readFile(join(siteDir, "404.html")).catch(() => "not found"));
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    close: () => server.close(),
    setDown: (value) => { down = value; },
    setPortal: (value) => { portal = value; },
  };
}

export const chromiumArgs = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync"];

// The bytes a server sends for a site file: its .gz copy where the build wrote one, else the
// file gzipped as the server does it (zlib's default level), or as it is when it is gzip
// already (Pagefind's index); 0 for a file that is not there.
export async function sentBytes(file) {
  try { return (await stat(file + ".gz")).size; } catch { /* a page: no copy */ }
  try {
    const bytes = await readFile(file);
    return bytes[0] === 0x1f && bytes[1] === 0x8b ? bytes.length : gzipSync(bytes).length;
  } catch { return 0; }
}

// sentBytes for the file a URL of the site served from siteDir names (`/a/` is `/a/index.html`).
export function sentFor(siteDir, url) {
  const file = join(siteDir, decodeURIComponent(new URL(url).pathname));
  return sentBytes(file.endsWith("/") ? file + "index.html" : file);
}
