/* The offline page: the catalogue kept by the worker, the four forms (consultation, client,
   case draft with photos and pre-review) that write to the outbox, and the sync queue with
   its conflicts. Every check a form makes here is the server's (checks.js); the server
   checks again when the record arrives. */
(function () {
  "use strict";
  var outbox = window.BangbanOutbox;
  var checks = window.BangbanChecks;
  var items = [];
  var byCode = {};
  var PHOTO_MAX = 1600; // px on the longer side: a readable page, a small upload
  var STATUSES = [["", "未预审"], ["received", "已收取"], ["missing", "缺少"], ["needs_correction", "需补正"], ["deferred", "容缺后补"], ["not_applicable", "不适用"]];
  var STATUS_TEXT = { waiting: "等待同步", refused: "未被接受", conflict: "有冲突" };

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }
  function when(iso) {
    var d = new Date(iso);
    var pad = function (n) { return ("0" + n).slice(-2); };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }
  function masked(id) { return id ? id.slice(0, 3) + "***********" + id.slice(-4) : ""; }

  // --- the catalogue ------------------------------------------------------------------------

  function loadCatalogue() {
    return fetch("/work/offline/catalogue.json", { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        items = data.items || [];
        byCode = {};
        items.forEach(function (item) { byCode[item.code] = item; });
        $("catalogue-version").textContent = items.length
          ? "事项清单共 " + items.length + " 项（版本 " + String(data.version).slice(0, 8) + "），联网时自动更新。"
          : "本机还没有事项清单：请联网后打开本页一次。";
        document.querySelectorAll(".item-select").forEach(function (select) {
          var keep = select.value;
          while (select.options.length > 1) select.remove(1);
          items.forEach(function (item) { select.add(new Option(item.name + "（" + item.code + "）", item.code)); });
          select.value = keep;
        });
        search();
      })
      .catch(function () { $("catalogue-version").textContent = "事项清单暂不可用。"; });
  }

  function search() {
    var q = $("item-q").value.trim();
    var list = $("item-results");
    list.textContent = "";
    if (!q) return;
    items.filter(function (item) {
      return (item.name + item.code + item.keywords + item.category + item.department).indexOf(q) >= 0;
    }).slice(0, 20).forEach(function (item) {
      var li = el("li");
      var details = el("details");
      details.appendChild(el("summary", null, item.name + " · 承诺 " + item.promised_limit_days + " 个工作日"));
      details.appendChild(el("p", null, item.department + " · 申请材料 " + item.materials.length + " 份"));
      var ol = el("ol");
      item.materials.forEach(function (m) {
        ol.appendChild(el("li", null, m.name + (m.required ? "（必需" : "（非必需") + (m.accept_with_gaps ? "，可容缺）" : "）") + (m.obtain_from ? " 来源：" + m.obtain_from : "")));
      });
      details.appendChild(ol);
      li.appendChild(details);
      list.appendChild(li);
    });
    if (!list.children.length) list.appendChild(el("li", null, "没有找到匹配的事项"));
  }

  // --- forms --------------------------------------------------------------------------------

  function fail(form, messages) {
    form.querySelector("[data-errors]").textContent = messages.join("；");
    return false;
  }
  function done(form, message) {
    form.reset();
    form.querySelector("[data-errors]").textContent = "";
    announce(message);
  }
  function announce(message) { $("offline-ready").textContent = message; }

  function saved(promise, form, message) {
    return promise.then(function () {
      done(form, message + (navigator.onLine ? "，正在同步" : "，联网后自动同步"));
      if (navigator.onLine) outbox.sync();
    }).catch(function (error) { fail(form, [String(error.message || error)]); });
  }

  function consultationSubmit(event) {
    event.preventDefault();
    var f = event.target;
    var errors = [];
    var name = f.client_name.value.trim(), contact = f.contact.value.trim(), content = f.content.value.trim();
    if (!name) errors.push("请填写服务对象姓名或名称");
    if (!contact) errors.push("请填写服务对象的联系方式");
    if (!content) errors.push("请填写咨询内容");
    if (errors.length) return fail(f, errors);
    saved(outbox.record("consultation", {
      client_name: name, contact: contact, channel: f.channel.value, item_code: f.item_code.value,
      content: content, answer: f.answer.value.trim()
    }), f, "咨询已保存");
  }

  function idCheck() {
    var value = $("p-id").value;
    var out = $("p-id-check");
    if (!value.trim()) { out.textContent = ""; return; }
    var checked = checks.residentId(value);
    out.textContent = checked.error || "身份证号码有效";
    out.classList.toggle("is-error", !!checked.error);
  }

  function clientSubmit(event) {
    event.preventDefault();
    var f = event.target;
    var errors = [];
    var name = f.name.value.trim();
    if (!name) errors.push("请填写姓名或名称");
    var id = checks.residentId(f.id_number.value);
    if (id.error) errors.push(id.error);
    var mobile = f.mobile.value.trim() ? checks.mobile(f.mobile.value) : { number: "" };
    if (mobile.error) errors.push(mobile.error);
    if (errors.length) return fail(f, errors);
    saved(outbox.record("client", {
      name: name, id_number: id.number, mobile: mobile.number, address: f.address.value.trim(),
      is_elderly: f.is_elderly.checked, is_disabled: f.is_disabled.checked
    }), f, "服务对象已保存").then(function () { $("p-id-check").textContent = ""; refreshClients(); });
  }

  function refreshClients() {
    var select = $("d-client");
    outbox.all().then(function (rows) {
      var clients = rows.filter(function (r) { return r.kind === "client"; });
      return Promise.all(clients.map(function (r) { return outbox.open(r.sealed).then(function (p) { return [r, p]; }); }));
    }).then(function (pairs) {
      // the choice as it stands now, not when the refresh began: the agent may have picked
      // a client while the local store was being read
      var keep = select.value;
      while (select.options.length > 1) select.remove(1);
      pairs.forEach(function (pair) {
        if (pair[1]) select.add(new Option(pair[1].name + "（" + masked(pair[1].id_number) + "，本机登记）", pair[0].key));
      });
      select.value = keep;
    });
  }

  function showMaterials() {
    var box = $("d-materials");
    box.textContent = "";
    var item = byCode[$("d-item").value];
    if (!item) return;
    var table = el("table", "cards");
    var head = el("thead");
    var tr = el("tr");
    ["申请材料", "拍照", "预审"].forEach(function (h) { var th = el("th", null, h); th.scope = "col"; tr.appendChild(th); });
    head.appendChild(tr);
    table.appendChild(head);
    var body = el("tbody");
    item.materials.forEach(function (m) {
      var row = el("tr");
      row.appendChild(el("td", null, m.name + (m.required ? "" : "（非必需）")));
      var photo = el("td");
      var label = el("label", "photo-label", "拍照：" + m.name);
      var input = el("input");
      input.type = "file";
      input.accept = "image/*";
      input.setAttribute("capture", "environment");
      input.id = "photo-" + m.id;
      input.dataset.material = m.id;
      label.htmlFor = input.id;
      photo.appendChild(label);
      photo.appendChild(input);
      row.appendChild(photo);
      var review = el("td");
      var rlabel = el("label", "visually-hidden", "预审：" + m.name);
      var select = el("select");
      select.id = "review-" + m.id;
      select.dataset.material = m.id;
      rlabel.htmlFor = select.id;
      STATUSES.forEach(function (s) { select.add(new Option(s[1], s[0])); });
      review.appendChild(rlabel);
      review.appendChild(select);
      row.appendChild(review);
      body.appendChild(row);
    });
    table.appendChild(body);
    box.appendChild(el("h3", null, "申请材料（" + item.name + "）"));
    box.appendChild(table);
    var st = document.querySelectorAll('#form-draft input[name="service_type"]');
    st[0].disabled = !item.assist;
    st[1].disabled = !item.proxy;
  }

  /* A photo made small enough to send over a weak link, as a JPEG data: URL. */
  function shrink(file) {
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, PHOTO_MAX / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return canvas.toDataURL("image/jpeg", 0.8);
    }).catch(function () { throw new Error("“" + file.name + "”不是图片，请重新拍照"); });
  }

  function draftSubmit(event) {
    event.preventDefault();
    var f = event.target;
    var errors = [];
    var clientKey = f.client_key.value;
    var id = { number: "" };
    if (!clientKey) {
      id = checks.residentId(f.id_number.value);
      if (id.error) errors.push(id.error);
    }
    var item = byCode[f.item_code.value];
    if (!item) errors.push("请选择办理事项");
    var serviceType = (f.querySelector('input[name="service_type"]:checked') || {}).value;
    if (!serviceType) errors.push("请选择帮办或代办");
    if (errors.length) return fail(f, errors);
    var photos = Array.prototype.filter.call(f.querySelectorAll("input[type=file]"), function (i) { return i.files.length; });
    var reviews = Array.prototype.filter.call(f.querySelectorAll("#d-materials select"), function (s) { return s.value; })
      .map(function (s) { return { material: Number(s.dataset.material), status: s.value }; });
    var needs = f.needs.value.trim();
    // the photos are read before anything is recorded: a bad one records nothing
    Promise.all(photos.map(function (input) {
      return shrink(input.files[0]).then(function (data) { return { material: Number(input.dataset.material), name: "photo-" + input.dataset.material + ".jpg", data: data }; });
    })).then(function (shots) {
      var work = outbox.record("case", {
        client_key: clientKey, id_number: id.number, item_code: item.code, item_version: item.version,
        item_name: item.name, service_type: serviceType, needs: needs
      }).then(function (caseKey) {
        var chain = Promise.resolve();
        shots.forEach(function (shot) {
          chain = chain.then(function () { return outbox.record("photo", Object.assign({ case_key: caseKey }, shot)); });
        });
        return chain.then(function () {
          if (reviews.length) return outbox.record("review", { case_key: caseKey, checks: reviews });
        });
      });
      return saved(work, f, "办件草稿已保存（材料照片 " + shots.length + " 张，预审 " + reviews.length + " 份）");
    }).then(showMaterials).catch(function (error) { fail(f, [String(error.message || error)]); });
  }

  // --- the queue ----------------------------------------------------------------------------

  function summary(kind, p) {
    if (!p) return "（内容已加密：请联网登录后查看）";
    if (kind === "consultation") return p.client_name + "：" + p.content.slice(0, 30);
    if (kind === "client") return p.name + "（" + masked(p.id_number) + "）";
    if (kind === "case") return (p.item_name || p.item_code) + " · " + (p.service_type === "proxy" ? "代办" : "帮办");
    if (kind === "photo") return "材料照片";
    if (kind === "review") return "预审 " + p.checks.length + " 份材料";
    return "";
  }

  function renderQueue() {
    var session = outbox.session();
    outbox.all().then(function (rows) {
      rows = rows.filter(function (r) { return !session || r.staff === session.staff; });
      return Promise.all(rows.map(function (r) {
        return Promise.all([outbox.open(r.sealed), outbox.open(r.sealedServer)]).then(function (p) { return [r, p[0], p[1]]; });
      }));
    }).then(function (entries) {
      var list = $("queue-list");
      list.textContent = "";
      $("queue-empty").hidden = entries.length > 0;
      entries.forEach(function (entry) {
        var r = entry[0];
        var li = el("li", "queue-" + r.status);
        li.dataset.key = r.key;
        li.appendChild(el("p", "queue-head", outbox.KINDS[r.kind] + " · " + when(r.made_at) + " 记录 · " + STATUS_TEXT[r.status]));
        li.appendChild(el("p", null, summary(r.kind, entry[1])));
        if (r.message) li.appendChild(el("p", "queue-message", r.message));
        if (r.status === "conflict" && entry[2]) {
          var dl = el("dl", "queue-server");
          Object.keys(entry[2]).forEach(function (k) {
            dl.appendChild(el("dt", null, "平台：" + (k === "name" ? "姓名" : k)));
            dl.appendChild(el("dd", null, entry[2][k]));
          });
          li.appendChild(dl);
        }
        var actions = el("p", "queue-actions");
        if (r.status === "conflict") {
          (r.choices || []).forEach(function (choice) {
            var b = el("button", null, choice === "mine" ? "保留本机记录" : "采用平台的信息");
            b.type = "button";
            b.addEventListener("click", function () { outbox.resolve(r.key, choice); });
            actions.appendChild(b);
          });
        }
        if (r.status !== "waiting") {
          var del = el("button", "link", "删除此记录");
          del.type = "button";
          del.addEventListener("click", function () { outbox.discard(r.key); });
          actions.appendChild(del);
        }
        if (actions.children.length) li.appendChild(actions);
        list.appendChild(li);
      });
      var synced = $("synced-list");
      synced.textContent = "";
      outbox.synced().forEach(function (s) {
        var li = el("li");
        var text = outbox.KINDS[s.kind] + "：" + s.label + "（" + when(s.at) + "）";
        if (s.url) { var a = el("a", null, text); a.href = s.url; li.appendChild(a); } else li.textContent = text;
        synced.appendChild(li);
      });
    });
  }

  function ready() {
    var sw = "serviceWorker" in navigator ? navigator.serviceWorker.ready : Promise.resolve(null);
    Promise.all([sw, outbox.key(), loadCatalogue()]).then(function (r) {
      var key = r[1];
      var line = $("offline-ready");
      if (!key) {
        line.textContent = navigator.onLine ? "正在取得加密密钥……" : "本标签页没有加密密钥：请联网登录后再离线登记。";
        if (navigator.onLine) outbox.refreshSession().then(ready).catch(function (e) { line.textContent = e.message; });
        return;
      }
      line.textContent = "离线工作已就绪：断网后可继续登记，联网后自动同步。";
      line.dataset.ready = "1";
      refreshClients();
    });
  }

  $("item-q").addEventListener("input", search);
  $("p-id").addEventListener("input", idCheck);
  $("form-consultation").addEventListener("submit", consultationSubmit);
  $("form-client").addEventListener("submit", clientSubmit);
  $("form-draft").addEventListener("submit", draftSubmit);
  $("d-item").addEventListener("change", showMaterials);
  $("sync-now").addEventListener("click", function () { outbox.sync(); });
  outbox.onChange(renderQueue);
  outbox.onChange(refreshClients);
  renderQueue();
  ready();
})();
