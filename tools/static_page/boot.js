// MLE Explorer's static page, first thing in <head> (tools/build_static.py puts it there):
//  - starts Python's web worker (./main.js) now, instead of when the body is parsed, after 3 MB of Bokeh's and
//    Panel's JavaScript: Panel's worker handler further down takes it from `mleStaticPage.worker`;
//  - registers the service worker (./service-worker.js) that keeps what the page loads, so that after one visit it
//    opens with no network. On the first visit Python waits for it to take control (a few tens of ms; at most
//    CONTROL_WAIT_MS), so that everything the worker downloads passes through it and is kept; once the live app
//    is shown, the page hands it the files it had loaded before (the page's own scripts and styles);
//  - removes the pre-rendered copy's document from BokehJS when the live one replaces it (Panel removed its views
//    only, so `Bokeh.documents` kept a dead copy of every model).
(function () {
  "use strict";

  const WORKER_URL = "./main.js";
  const SERVICE_WORKER_URL = "./service-worker.js";
  const CONTROL_WAIT_MS = 3000;

  // A Worker that may start later than it is handed out: messages posted before it starts wait, and messages it
  // sends before Panel's handler has set `onmessage` are delivered when it does.
  class DeferredWorker {
    constructor() {
      this._worker = null;
      this._outbox = [];
      this._inbox = [];
      this._onmessage = null;
    }

    start(url) {
      if (this._worker !== null) return;
      this._worker = new Worker(url);
      this._worker.onmessage = (event) => this._deliver(event);
      for (const message of this._outbox) this._worker.postMessage(message);
      this._outbox = [];
    }

    postMessage(message) {
      if (this._worker === null) this._outbox.push(message);
      else this._worker.postMessage(message);
      if (message.type === "rendered") keepForOffline(); // the live app is on screen
    }

    get onmessage() {
      return this._onmessage;
    }

    set onmessage(handler) {
      this._onmessage = handler;
      const waiting = this._inbox;
      this._inbox = [];
      for (const event of waiting) handler(event);
    }

    _deliver(event) {
      if (this._onmessage === null) this._inbox.push(event);
      else this._onmessage(event);
    }
  }

  const worker = new DeferredWorker();
  const serviceWorkers = "serviceWorker" in navigator && window.isSecureContext ? navigator.serviceWorker : null;

  function startPython() {
    worker.start(WORKER_URL);
  }

  if (serviceWorkers === null) {
    startPython(); // file://, or a plain-http host other than localhost: no service worker, no offline copy
  } else {
    if (serviceWorkers.controller) {
      startPython();
    } else {
      serviceWorkers.addEventListener("controllerchange", startPython, {once: true});
      setTimeout(startPython, CONTROL_WAIT_MS);
    }
    serviceWorkers.register(SERVICE_WORKER_URL).catch((error) => {
      console.warn("MLE Explorer: no offline copy (the service worker did not register):", error);
      startPython();
    });
  }

  // Once the live app is on screen, when the page is idle: the files loaded before the service worker took control.
  function keepForOffline() {
    if (serviceWorkers === null) return;
    const idle = window.requestIdleCallback ?? ((callback) => setTimeout(callback, 1000));
    idle(
      async () => {
        const registration = await serviceWorkers.ready;
        const resources = performance
          .getEntriesByType("resource")
          .map((entry) => entry.name)
          .filter((url) => url.startsWith("http"));
        registration.active?.postMessage({type: "keep", page: location.href, resources});
      },
      {timeout: 5000},
    );
  }

  function removePrerendered() {
    const roots = [...Bokeh.index.roots];
    const documents = new Set(roots.map((view) => view.model.document));
    for (const view of roots) view.remove();
    for (const doc of documents) {
      const position = Bokeh.documents.indexOf(doc);
      if (position >= 0) Bokeh.documents.splice(position, 1);
    }
  }

  window.mleStaticPage = {worker, removePrerendered};
})();
