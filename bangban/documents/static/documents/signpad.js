/* Signature pad: pointer events cover mouse, touch and pen; no library, no build step.
   The strokes are drawn on a white canvas and posted as a PNG data URL. */
(function () {
  "use strict";
  var canvas = document.getElementById("signpad");
  var form = document.getElementById("sign-form");
  if (!canvas || !form) return;
  var field = document.getElementById("signature");
  var error = document.getElementById("sign-error");
  var ctx = canvas.getContext("2d");
  var drawing = false, inked = false, last = null;

  function setup() {
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    var rect = canvas.getBoundingClientRect();
    var keep = inked ? canvas.toDataURL("image/png") : null;
    canvas.width = Math.round(rect.width * ratio);
    canvas.height = Math.round(rect.height * ratio);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, rect.width, rect.height);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#000";
    ctx.lineWidth = 2.6;
    if (keep) {  // keep the strokes when a phone or tablet is turned
      var img = new Image();
      img.onload = function () { ctx.drawImage(img, 0, 0, rect.width, rect.height); };
      img.src = keep;
    }
  }

  function point(e) {
    var rect = canvas.getBoundingClientRect();
    return { x: e.clientX - rect.left, y: e.clientY - rect.top };
  }

  canvas.addEventListener("pointerdown", function (e) {
    e.preventDefault();
    canvas.setPointerCapture(e.pointerId);
    drawing = true;
    last = point(e);
    ctx.beginPath();
    ctx.arc(last.x, last.y, ctx.lineWidth / 2, 0, Math.PI * 2);
    ctx.fillStyle = "#000";
    ctx.fill();
    inked = true;
    error.textContent = "";
  });
  canvas.addEventListener("pointermove", function (e) {
    if (!drawing) return;
    e.preventDefault();
    var p = point(e);
    var mid = { x: (last.x + p.x) / 2, y: (last.y + p.y) / 2 };
    ctx.beginPath();
    ctx.moveTo(last.x, last.y);
    ctx.quadraticCurveTo(last.x, last.y, mid.x, mid.y);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    last = p;
  });
  function stop(e) {
    if (!drawing) return;
    drawing = false;
    if (canvas.hasPointerCapture(e.pointerId)) canvas.releasePointerCapture(e.pointerId);
  }
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);

  document.getElementById("sign-clear").addEventListener("click", function () {
    inked = false;
    setup();
    field.value = "";
  });
  form.addEventListener("submit", function (e) {
    if (!inked) {
      e.preventDefault();
      error.textContent = "请先在签名框内签名";
      return;
    }
    field.value = canvas.toDataURL("image/png");
  });
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(setup, 150);
  });
  setup();
})();
