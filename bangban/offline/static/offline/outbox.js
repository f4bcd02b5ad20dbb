/* The station's outbox: records made with or without a connection, kept in IndexedDB until the
   server has taken them, each under an idempotency key made when it was recorded.

   What is kept in clear: the key, the kind, when it was made, its place in the queue, its
   status and the server's reason (no personal data). What a person typed (names, ID and
   mobile numbers, photos) and what the server said in a conflict are sealed with AES-GCM
   (WebCrypto) under the agent's outbox key. The key comes from /work/offline/session/ while
   signed in, lives in this tab's sessionStorage and in memory as a non-extractable CryptoKey,
   and is removed at logout (banner.js): the device then holds only ciphertext. Signing in
   again fetches the same key, so nothing unsynced is lost.

   A record the server accepted is deleted at once; refused and conflicting ones stay, with
   the reason, until the agent corrects, resolves or deletes them. */
(function (root) {
  "use strict";

  var DB_NAME = "bangban-offline";
  var STORE = "outbox";
  var KEY_SLOT = "bangban.offline.key";
  var SYNCED_SLOT = "bangban.offline.synced";
  var BASE = "/work/offline/";
  var KINDS = {
    consultation: "咨询登记",
    client: "服务对象登记",
    case: "办件草稿",
    photo: "材料照片",
    review: "预审材料"
  };
  var cryptoKey = null;
  var session = null;
  var listeners = [];
  var syncing = null;

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        var store = request.result.createObjectStore(STORE, { keyPath: "key" });
        store.createIndex("seq", "seq");
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function tx(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode);
        var result = work(t.objectStore(STORE));
        t.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : result); };
        t.onerror = function () { db.close(); reject(t.error); };
      });
    });
  }

  function all() {
    return tx("readonly", function (store) { return store.getAll(); }).then(function (rows) {
      return rows.sort(function (a, b) { return a.seq - b.seq; });
    });
  }

  function put(row) { return tx("readwrite", function (store) { store.put(row); }); }
  function remove(key) { return tx("readwrite", function (store) { store.delete(key); }); }

  // --- the key ------------------------------------------------------------------------------

  function b64(bytes) {
    var s = "";
    var view = new Uint8Array(bytes);
    for (var i = 0; i < view.length; i++) s += String.fromCharCode(view[i]);
    return btoa(s);
  }
  function unb64(text) {
    var s = atob(text);
    var out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }

  function stored() {
    try { return JSON.parse(sessionStorage.getItem(KEY_SLOT) || "null"); } catch (e) { return null; }
  }

  function importKey(raw) {
    return crypto.subtle.importKey("raw", unb64(raw), { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
  }

  /* The key for this tab: memory, else sessionStorage, else null (signed out, or never online). */
  function key() {
    if (cryptoKey) return Promise.resolve(cryptoKey);
    var slot = stored();
    if (!slot) return Promise.resolve(null);
    session = session || { staff: slot.staff, name: slot.name, site: slot.site };
    return importKey(slot.key).then(function (k) { cryptoKey = k; return k; });
  }

  /* Ask the server who is signed in (and for the key and a CSRF token); null when offline. */
  function refreshSession() {
    return fetch(BASE + "session/", { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) throw new Error(data.message || "登录已过期，请重新登录后再同步");
          var slot = stored();
          if (!slot || slot.staff !== data.staff || slot.key !== data.key) {
            cryptoKey = null;
            sessionStorage.setItem(KEY_SLOT, JSON.stringify({ staff: data.staff, name: data.name, site: data.site, key: data.key }));
          }
          session = data;
          return key().then(function () { return data; });
        });
      });
  }

  /* Logout: the key leaves this tab; the outbox keeps only ciphertext. */
  function forget() {
    cryptoKey = null;
    session = null;
    sessionStorage.removeItem(KEY_SLOT);
    sessionStorage.removeItem(SYNCED_SLOT);
  }

  function seal(value) {
    return key().then(function (k) {
      if (!k) throw new Error("请先联网登录一次，再离线登记（需要取得加密密钥）");
      var iv = crypto.getRandomValues(new Uint8Array(12));
      var plain = new TextEncoder().encode(JSON.stringify(value));
      return crypto.subtle.encrypt({ name: "AES-GCM", iv: iv }, k, plain).then(function (data) {
        return { iv: b64(iv), data: b64(data) };
      });
    });
  }

  function open(sealed) {
    if (!sealed) return Promise.resolve(null);
    return key().then(function (k) {
      if (!k) return null;
      return crypto.subtle.decrypt({ name: "AES-GCM", iv: unb64(sealed.iv) }, k, unb64(sealed.data))
        .then(function (plain) { return JSON.parse(new TextDecoder().decode(plain)); })
        .catch(function () { return null; }); // another agent's record, or another key
    });
  }

  function newKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
  }

  // --- recording ------------------------------------------------------------------------------

  var lastSeq = 0;
  /* Put a record in the outbox; resolves to its key. */
  function record(kind, payload) {
    var slot = stored();
    var seq = Math.max(Date.now() * 1000, lastSeq + 1);
    lastSeq = seq;
    var row = { key: newKey(), kind: kind, made_at: new Date().toISOString(), seq: seq, status: "waiting", message: "", staff: slot ? slot.staff : null };
    return seal(payload).then(function (sealed) {
      row.sealed = sealed;
      return put(row);
    }).then(function () { changed(); return row.key; });
  }

  /* A conflict resolved: "mine" or "server"; sent again at the next sync. */
  function resolve(recordKey, choice) {
    return all().then(function (rows) {
      var row = rows.filter(function (r) { return r.key === recordKey; })[0];
      if (!row) return;
      row.resolution = choice;
      row.status = "waiting";
      row.message = choice === "mine" ? "已选择保留本机记录，等待同步" : "已选择采用平台的信息，等待同步";
      return put(row);
    }).then(function () { changed(); return sync(); });
  }

  function discard(recordKey) { return remove(recordKey).then(changed); }

  // --- syncing ------------------------------------------------------------------------------

  function synced() {
    try { return JSON.parse(sessionStorage.getItem(SYNCED_SLOT) || "[]"); } catch (e) { return []; }
  }
  function noteSynced(row, answer) {
    var list = synced();
    list.unshift({ kind: row.kind, label: answer.message, url: (answer.result || {}).url || "", at: new Date().toISOString(), repeat: !!answer.repeat });
    sessionStorage.setItem(SYNCED_SLOT, JSON.stringify(list.slice(0, 30)));
  }

  var state = { lastError: "", lastSyncAt: null };

  function send(csrf, batch) {
    return Promise.all(batch.map(function (row) {
      return open(row.sealed).then(function (payload) {
        if (row.resolution) payload.resolution = row.resolution;
        return { key: row.key, kind: row.kind, made_at: row.made_at, payload: payload };
      });
    })).then(function (records) {
      return fetch(BASE + "sync/", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
        body: JSON.stringify({ records: records })
      });
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.message || "同步失败");
        return data.answers;
      });
    }).then(function (answers) {
      var byKey = {};
      batch.forEach(function (row) { byKey[row.key] = row; });
      return answers.reduce(function (done, answer) {
        var row = byKey[answer.key];
        if (!row) return done;
        return done.then(function () {
          if (answer.status === "accepted") {
            noteSynced(row, answer);
            return remove(row.key);
          }
          row.status = answer.status;
          row.message = answer.message;
          row.choices = answer.choices || [];
          delete row.resolution;
          return (answer.server ? seal(answer.server) : Promise.resolve(null)).then(function (s) {
            row.sealedServer = s;
            return put(row);
          });
        });
      }, Promise.resolve());
    });
  }

  /* Send everything waiting (refused records are tried again; conflicts wait for a choice). */
  function sync() {
    if (syncing) return syncing;
    if (!navigator.onLine) return Promise.resolve(false);
    var pending = 0;
    syncing = all().then(function (rows) { pending = rows.length; return refreshSession(); }).then(function (s) {
      return all().then(function (rows) {
        var mine = rows.filter(function (r) {
          return r.staff === s.staff && !(r.status === "conflict" && !r.resolution);
        });
        // in recorded order; a photo goes alone (a request stays small on a weak link)
        var batches = [];
        var current = [];
        mine.forEach(function (row) {
          if (row.kind === "photo") {
            if (current.length) batches.push(current);
            batches.push([row]);
            current = [];
          } else {
            current.push(row);
            if (current.length === 20) { batches.push(current); current = []; }
          }
        });
        if (current.length) batches.push(current);
        return batches.reduce(function (done, batch) {
          return done.then(function () { return send(s.csrf, batch); });
        }, Promise.resolve());
      });
    }).then(function () {
      state.lastError = "";
      state.lastSyncAt = new Date().toISOString();
      return true;
    }).catch(function (error) {
      // nothing waiting: a failed key fetch (not an agent, signed out) is nobody's concern
      state.lastError = !pending ? "" : navigator.onLine ? String(error.message || error) : "网络已断开，联网后自动同步";
      return false;
    }).then(function (ok) {
      syncing = null;
      changed();
      return ok;
    });
  }

  function onChange(fn) { listeners.push(fn); }
  function changed() { listeners.forEach(function (fn) { try { fn(); } catch (e) { /* a view's own */ } }); }

  root.addEventListener("online", function () { changed(); sync(); });
  root.addEventListener("offline", changed);

  root.BangbanOutbox = {
    KINDS: KINDS,
    all: all,
    record: record,
    resolve: resolve,
    discard: discard,
    sync: sync,
    open: open,
    key: key,
    refreshSession: refreshSession,
    forget: forget,
    synced: synced,
    state: state,
    onChange: onChange,
    changed: changed,
    session: function () { return session || stored(); }
  };
})(window);
