// The estimator's service worker: after one visit, a county's estimator works with no network.
// It keeps the estimator pages a phone has opened, and the files they name: the script, the
// stylesheet, the WebAssembly and the county's rules. Those files' names carry the hash of
// their content, so a kept file never goes stale; the page itself is fetched from the network
// whenever there is one, and the new rules it names are fetched and kept in their turn. Files
// no kept page names any more are dropped. Every other request is left to the browser.
//
// The same bytes on every site and every build: it knows addresses by their shape only.
const CACHE = "portal-estimator-1";
const ESTIMATOR_PAGE = /^\/counties\/[^/]+\/estimate\/$/;
const KEPT_FILE = /^\/(assets\/[^/?#]+\.[0-9a-f]{8}\.(?:js|css|wasm)|data\/counties\/[^/?#]+\.[0-9a-f]{8}\.rules)$/;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("portal-estimator-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && ESTIMATOR_PAGE.test(url.pathname)) {
    event.respondWith(page(url));
  } else if (KEPT_FILE.test(url.pathname)) {
    event.respondWith(file(request, url));
  }
});

// The page's script asks, once it has loaded, for the page and its files to be kept: on a
// first visit they were fetched before this worker was running.
self.addEventListener("message", (event) => {
  const keep = event.data?.keep;
  if (!Array.isArray(keep)) return;
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    let ok = true;
    // Whether the page itself could not be fetched: the window is told, since a phone can
    // say it is online with nothing getting through (a weak signal, a Wi-Fi's login page),
    // and the page should then say that it is using the kept rules.
    let unreachable = false;
    for (const address of keep) {
      const url = new URL(address, self.location.origin);
      if (url.origin !== self.location.origin) continue;
      const isPage = ESTIMATOR_PAGE.test(url.pathname);
      const isFile = KEPT_FILE.test(url.pathname);
      if (!isPage && !isFile) continue;
      const key = url.origin + url.pathname;
      if (isFile && await cache.match(key)) continue;
      try {
        const response = await fetch(key, { cache: "no-cache" });
        if (await (isPage ? isEstimatorPage(response) : isKeptFile(response))) {
          await cache.put(key, response);
        } else {
          ok = false;
          // A Wi-Fi's login page in its place: nothing got through.
          if (isPage && response.ok) unreachable = true;
        }
      } catch {
        ok = false;
        if (isPage) unreachable = true;
      }
    }
    if (ok) await prune(cache);
    event.source?.postMessage({ kept: ok, offline: unreachable });
  })());
});

/// The network's page when there is a network (kept for next time), else the kept page.
async function page(url) {
  const key = url.origin + url.pathname;
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(key, { cache: "no-cache" });
    // Files are pruned only once the page has said all of its own are kept (see "message"):
    // a page kept here may name rules not yet fetched.
    if (await isEstimatorPage(response)) {
      await cache.put(key, response.clone());
      return response;
    }
    // Not the page (a Wi-Fi's login page answering for every address): the kept one, if any.
    return (await cache.match(key)) ?? response;
  } catch (error) {
    const kept = await cache.match(key);
    if (kept) return kept;
    throw error;
  }
}

/// A file named by its content: the kept copy, else the network's (then kept).
async function file(request, url) {
  const key = url.origin + url.pathname;
  const cache = await caches.open(CACHE);
  const kept = await cache.match(key);
  if (kept) return kept;
  const response = await fetch(request);
  if (await isKeptFile(response)) await cache.put(key, response.clone());
  return response;
}

/// Whether a response is an estimator page: a Wi-Fi's login page may answer in its place, with
/// 200 OK, and kept instead of it would take the estimator away.
async function isEstimatorPage(response) {
  return isAnswer(response) && isHtml(response)
    && (await response.clone().text()).includes("data-estimator");
}

/// Whether a response can be a script, stylesheet, module or rules file: not a login page.
function isKeptFile(response) {
  return isAnswer(response) && !isHtml(response);
}

/// An answer from the address asked, not an error or a redirect (to a login page).
const isAnswer = (response) => response.ok && !response.redirected;
const isHtml = (response) => (response.headers.get("Content-Type") ?? "").startsWith("text/html");

/// Drop the kept files that no kept page names any more (older rules, an older script).
async function prune(cache) {
  const requests = await cache.keys();
  const named = new Set();
  for (const request of requests) {
    const url = new URL(request.url);
    if (!ESTIMATOR_PAGE.test(url.pathname)) continue;
    const html = await (await cache.match(request)).text();
    // Attribute values as the templates escape them (`&amp;`; pages kept from builds before
    // 2026-12 also wrote `/` as `&#x2F;`).
    for (const match of html.matchAll(/(?:href|src|data-[a-z-]+)="([^"]+)"/g)) {
      named.add(match[1].replaceAll("&#x2F;", "/").replaceAll("&amp;", "&"));
    }
  }
  for (const request of requests) {
    const url = new URL(request.url);
    if (KEPT_FILE.test(url.pathname) && !named.has(url.pathname)) await cache.delete(request);
  }
}
