/* The live queue listens on its WebSocket (ws/remote/queue/, bangban/remote/consumers.py
 * QueueConsumer): on {"kind": "changed"} it fires "remote-queue" on <body>, and the list
 * (hx-trigger="every 3s, remote-queue from:body", remote/queue.html) reloads at once.
 * The polling stays: it is the fallback when the socket is down or refused. */
(function () {
  "use strict";
  var list = document.getElementById("queue");
  if (!list || !("WebSocket" in window)) return;
  var path = list.getAttribute("data-socket");
  if (!path) return;
  var delay = 1000;

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + path);
    socket.addEventListener("open", function () {
      delay = 1000;
      list.setAttribute("data-live", "yes");
    });
    socket.addEventListener("message", function (event) {
      var message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (message && message.kind === "changed") {
        document.body.dispatchEvent(new CustomEvent("remote-queue"));
      }
    });
    socket.addEventListener("close", function (event) {
      list.removeAttribute("data-live");
      if (event.code === 4403) return; // refused: the polling carries on alone
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }

  connect();
})();
