// MLE Explorer's service worker: keeps what the static page loads, so that after one visit it opens with no network.
// Registered by boot.js; tools/build_static.py writes the build's id below, so that a new build replaces it.
//  - The site's own files (the page, Python's worker, the wheels): from the network when it answers, so that a new
//    build shows at the next visit, else from the cache. Navigations keep one copy whatever their query (a shared
//    link's view is in the query; the page is the same).
//  - Everything else (Pyodide, Bokeh, Panel, KaTeX from their CDNs): versioned addresses, so from the cache when
//    there, else from the network, then kept. Kept across builds.
"use strict";

const BUILD = "__BUILD_ID__";
const SITE_CACHE = `mle-explorer-site-${BUILD}`;
const CDN_CACHE = "mle-explorer-cdn";

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("mle-explorer-site-") && name !== SITE_CACHE) await caches.delete(name);
      }
      await self.clients.claim(); // the first visit's page: its worker starts once this is done (boot.js)
    })(),
  );
});

const isOwn = (url) => new URL(url).origin === self.location.origin;

function withoutQuery(url) {
  const address = new URL(url);
  address.search = "";
  address.hash = "";
  return address.href;
}

const scoped = (path) => new URL(path, self.registration.scope).href;

function keepable(response) {
  return response.ok || response.type === "opaque"; // a classic <script> or <link> from another host is opaque
}

// Each answer goes back as soon as it arrives; the copy is written to the cache meanwhile (event.waitUntil), so a
// large file (Pyodide's 8.6 MB of WebAssembly) does not wait for the disk.
async function fromNetworkElseCache(event) {
  const request = event.request;
  const cache = await caches.open(SITE_CACHE);
  const key = request.mode === "navigate" ? withoutQuery(request.url) : request;
  try {
    const response = await fetch(request);
    if (response.ok) event.waitUntil(cache.put(key, response.clone()));
    return response;
  } catch (error) {
    const keys = request.mode === "navigate" ? [key, scoped("index.html"), scoped("")] : [key];
    for (const candidate of keys) {
      const cached = await cache.match(candidate);
      if (cached !== undefined) return cached;
    }
    throw error;
  }
}

async function fromCacheElseNetwork(event) {
  const request = event.request;
  const cache = await caches.open(CDN_CACHE);
  const cached = await cache.match(request);
  if (cached !== undefined) return cached;
  const response = await fetch(request);
  if (keepable(response)) event.waitUntil(cache.put(request, response.clone()));
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || !request.url.startsWith("http")) return;
  event.respondWith(isOwn(request.url) ? fromNetworkElseCache(event) : fromCacheElseNetwork(event));
});

// From boot.js once the live app is shown: the page's address and every file it loaded. Those loaded before this
// worker took control (the first visit's scripts and styles) are fetched again here and kept; a browser answers
// that from its HTTP cache.
async function keep(page, resources) {
  const site = await caches.open(SITE_CACHE);
  const cdn = await caches.open(CDN_CACHE);
  const wanted = [[site, withoutQuery(page), page], ...resources.map((url) => [isOwn(url) ? site : cdn, url, url])];
  for (const [cache, key, url] of wanted) {
    if ((await cache.match(key)) !== undefined) continue;
    try {
      let response = await fetch(url, {mode: "cors", credentials: "omit"}).catch(() => undefined);
      if (response === undefined || !response.ok) response = await fetch(url, {mode: "no-cors"});
      if (keepable(response)) await cache.put(key, response);
    } catch (error) {
      console.warn(`MLE Explorer: could not keep ${url} for offline use:`, error);
    }
  }
}

self.addEventListener("message", (event) => {
  if (event.data?.type === "keep") event.waitUntil(keep(event.data.page, event.data.resources));
});
