/* On every workbench page: install the service worker (scope /work/), say plainly what is
   waiting to sync, since when, and what was refused and why, sync when the link returns, and
   at logout take the outbox key out of this tab. */
(function () {
  "use strict";
  var outbox = window.BangbanOutbox;
  if (!outbox) return;

  if (!document.querySelector('link[rel="manifest"]')) {
    var link = document.createElement("link");
    link.rel = "manifest";
    link.href = "/work/offline/manifest.webmanifest";
    document.head.appendChild(link);
  }
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/work/sw.js", { scope: "/work/" }).catch(function () { /* http: no worker */ });
  }

  // logout (the header's form on every page): the key goes before the request leaves
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var action = form && form.getAttribute && form.getAttribute("action");
    if (action && new URL(action, location.href).pathname === "/accounts/logout/") outbox.forget();
  }, true);

  function when(iso) {
    var d = new Date(iso);
    var pad = function (n) { return ("0" + n).slice(-2); };
    return (d.getMonth() + 1) + "月" + d.getDate() + "日 " + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }

  function host() {
    var node = document.getElementById("offline-banner");
    if (node) return node;
    node = el("div", "offline-banner");
    node.id = "offline-banner";
    node.setAttribute("role", "status");
    node.setAttribute("aria-live", "polite");
    var main = document.getElementById("main");
    if (main) main.insertBefore(node, main.firstChild);
    return node;
  }

  function render() {
    var session = outbox.session();
    outbox.all().then(function (rows) {
      rows = rows.filter(function (r) { return !session || r.staff === session.staff; });
      var node = host();
      if (!node) return;
      node.textContent = "";
      var waiting = rows.filter(function (r) { return r.status === "waiting"; });
      var refused = rows.filter(function (r) { return r.status === "refused"; });
      var conflicts = rows.filter(function (r) { return r.status === "conflict"; });
      var offline = !navigator.onLine;
      node.hidden = !offline && !rows.length && !outbox.state.lastError;
      node.classList.toggle("is-offline", offline);
      if (offline) {
        node.appendChild(el("p", "offline-state", "离线状态：网络已断开。可继续登记咨询、服务对象、材料照片和办件草稿，联网后自动同步。"));
      }
      if (waiting.length) {
        node.appendChild(el("p", "offline-waiting",
          "等待同步：" + waiting.length + " 条（最早记录于 " + when(waiting[0].made_at) + "）"));
      }
      refused.forEach(function (r) {
        node.appendChild(el("p", "offline-refused",
          "未被接受：" + outbox.KINDS[r.kind] + "（" + when(r.made_at) + " 记录）——" + r.message));
      });
      if (conflicts.length) {
        node.appendChild(el("p", "offline-conflict",
          "有冲突：" + conflicts.length + " 条记录与平台的信息不一致，需要您选择保留哪一份。"));
      }
      if (outbox.state.lastError) node.appendChild(el("p", "offline-error", "同步未完成：" + outbox.state.lastError));
      if (rows.length && location.pathname !== "/work/offline/") {
        var a = el("a", null, "查看同步队列");
        a.href = "/work/offline/#queue";
        node.appendChild(a);
      }
    });
  }

  outbox.onChange(render);
  render();
  if (navigator.onLine) outbox.sync();
})();
