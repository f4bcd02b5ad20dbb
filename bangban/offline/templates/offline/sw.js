{% load static %}/* The workbench's service worker (scope /work/). It keeps only what holds no personal data:
   the offline page (the app shell), the static files it needs, and the item catalogue. Pages
   about cases and clients are never stored; offline, a workbench address opens the offline
   page instead. Records wait in the page's IndexedDB outbox, not here. */
"use strict";

var CACHE = "bangban-offline-v1";
var SHELL = "/work/offline/";
var CATALOGUE = "/work/offline/catalogue.json";
var STATIC = [
  "{% static 'bangban/site.css' %}",
  "{% static 'bangban/site.js' %}",
  "{% static 'vendor/htmx-2.0.8.min.js' %}",
  "{% static 'offline/offline.css' %}",
  "{% static 'offline/checks.js' %}",
  "{% static 'offline/outbox.js' %}",
  "{% static 'offline/banner.js' %}",
  "{% static 'offline/app.js' %}"
];

function keep(cache, request) {
  return fetch(request, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
    // a login redirect or an error page is not the page to open offline
    if (response.ok && !response.redirected) return cache.put(request, response.clone()).then(function () { return response; });
    return response;
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(STATIC).then(function () {
      return Promise.all([keep(cache, SHELL), keep(cache, CATALOGUE)]).catch(function () {});
    });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return; // syncs and forms go to the network, never a cache
  var url = new URL(request.url);
  if (url.origin !== location.origin) return;
  if (url.pathname === CATALOGUE) {
    // fresh when online (the catalogue's version token may have changed), the last one offline
    event.respondWith(caches.open(CACHE).then(function (cache) {
      return keep(cache, CATALOGUE).catch(function () {
        return cache.match(CATALOGUE).then(function (hit) {
          return hit || new Response(JSON.stringify({ version: "", items: [] }), { headers: { "Content-Type": "application/json" } });
        });
      });
    }));
    return;
  }
  if (STATIC.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.match(url.pathname).then(function (hit) { return hit || fetch(request); }));
    return;
  }
  if (request.mode === "navigate" && url.pathname.indexOf("/work/") === 0) {
    event.respondWith(caches.open(CACHE).then(function (cache) {
      var fetched = url.pathname === SHELL ? keep(cache, SHELL) : fetch(request);
      return fetched.catch(function () {
        return cache.match(SHELL).then(function (hit) {
          return hit || new Response("<!DOCTYPE html><meta charset=utf-8><title>离线</title><p>网络已断开，离线工作页尚未保存到本机：请联网后打开一次“离线工作”。</p>", { headers: { "Content-Type": "text/html; charset=utf-8" } });
        });
      });
    }));
  }
});
