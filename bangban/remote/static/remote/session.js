/* Remote help: the live session page (remote/session.html). No build step, no inline script
 * (the Content-Security-Policy allows only our static files).
 *
 * Signalling goes over the session's WebSocket (bangban/remote/consumers.py): "ready" when a
 * page arrives, WebRTC's offer/answer/ICE as "signal" (perfect negotiation: the asker is
 * the polite side), "screen" when a screen share starts or stops, "pointer" when the viewer
 * of a shared screen points on it, "chat", "end". Photos are POSTed over HTTP and announced
 * by the server. Without camera or microphone, or when WebRTC fails, the session goes on
 * as chat and photos, and says so.
 */
(function () {
  "use strict";
  const root = document.querySelector("[data-remote-session]");
  const dataNode = document.getElementById("remote-session-data");
  if (!root || !dataNode) return;
  const page = JSON.parse(dataNode.textContent);
  const role = page.role;
  const polite = role === "asker";
  const $ = (id) => document.getElementById(id);
  const status = $("rs-status");
  const note = $("rs-note");
  const localVideo = $("rs-local-video");
  const remoteVideo = $("rs-remote-video");
  const screenBox = $("rs-screen-box");
  const screenVideo = $("rs-screen-video");
  const screenWrap = $("rs-screen-wrap");
  const screenCaption = $("rs-screen-caption");
  const pointer = $("rs-pointer");
  const micButton = $("rs-mic");
  const camButton = $("rs-cam");
  const shareButton = $("rs-share");
  const snapButton = $("rs-snap");

  // What the tests and the page read: the peer connection's state, and the notes shown.
  const state = (window.remoteSession = { rtc: "new", notes: [], screen: "off", socket: "closed" });

  function say(text) {
    status.textContent = text;
  }
  function warn(text) {
    if (state.notes.includes(text)) return;
    state.notes.push(text);
    note.textContent = state.notes.join(" ");
    note.hidden = false;
  }
  function setRtc(value) {
    state.rtc = value;
    root.dataset.rtc = value;
  }

  let socket = null;
  let ended = page.ended;
  let localStream = null;
  let screenStream = null;
  let screenSenders = [];
  let pc = null;
  let makingOffer = false;
  let ignoreOffer = false;
  let remoteScreenId = null;
  let screenSource = null; // "local" or "remote"
  const remoteStreams = new Map();
  const hasWebRTC = typeof window.RTCPeerConnection === "function";
  let connectTimer = null;
  let attempts = 0;

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  // --- camera and microphone ------------------------------------------------------------

  async function openMedia() {
    if (!hasWebRTC) {
      warn("此浏览器不支持语音视频通话，本次以文字和照片交流。");
      return;
    }
    const media = navigator.mediaDevices;
    if (!media || !media.getUserMedia) {
      warn("此浏览器无法使用摄像头和麦克风，本次以文字和照片交流。");
      return;
    }
    say("正在打开摄像头和麦克风…");
    try {
      localStream = await media.getUserMedia({ audio: true, video: true });
    } catch (first) {
      try {
        localStream = await media.getUserMedia({ audio: true });
        warn("没有可用的摄像头，本次只有语音，文字和照片照常。");
      } catch (second) {
        localStream = null;
        warn("没有可用的摄像头和麦克风（或未允许使用），本次以文字和照片交流。");
      }
    }
    if (localStream) {
      localVideo.srcObject = localStream;
      micButton.disabled = !localStream.getAudioTracks().length;
      camButton.disabled = !localStream.getVideoTracks().length;
      snapButton.disabled = !localStream.getVideoTracks().length;
    }
    shareButton.disabled = !(media.getDisplayMedia);
  }

  function mediaUsed() {
    send({
      kind: "media",
      audio: !!(localStream && localStream.getAudioTracks().length),
      video: !!(localStream && localStream.getVideoTracks().length),
      screen: !!screenStream,
    });
  }

  function toggle(button, tracks, onText, offText) {
    const on = button.getAttribute("aria-pressed") !== "true";
    tracks.forEach((t) => (t.enabled = on));
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = on ? onText : offText;
  }
  micButton.addEventListener("click", () =>
    toggle(micButton, localStream ? localStream.getAudioTracks() : [], "关闭麦克风", "打开麦克风")
  );
  camButton.addEventListener("click", () =>
    toggle(camButton, localStream ? localStream.getVideoTracks() : [], "关闭摄像头", "打开摄像头")
  );

  // --- the peer connection ----------------------------------------------------------------

  function closePeer() {
    if (pc) {
      pc.onnegotiationneeded = pc.onicecandidate = pc.ontrack = pc.onconnectionstatechange = null;
      pc.close();
    }
    pc = null;
    screenSenders = [];
    remoteStreams.clear();
    remoteVideo.srcObject = null;
  }

  function newPeer() {
    closePeer();
    if (!hasWebRTC) return null;
    try {
      pc = new RTCPeerConnection({ iceServers: page.iceServers || [] });
    } catch (error) {
      warn("音视频连接无法建立，本次以文字和照片交流。");
      return null;
    }
    setRtc("connecting");
    pc.onnegotiationneeded = async () => {
      try {
        makingOffer = true;
        await pc.setLocalDescription();
        send({ kind: "signal", description: pc.localDescription });
      } catch (error) {
        console.warn("offer", error);
      } finally {
        makingOffer = false;
      }
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) send({ kind: "signal", candidate: candidate });
    };
    pc.ontrack = ({ track, streams }) => {
      const stream = streams[0] || new MediaStream([track]);
      remoteStreams.set(stream.id, stream);
      placeRemote(stream);
    };
    const peer = pc;
    pc.onconnectionstatechange = () => {
      if (peer !== pc) return;
      setRtc(pc.connectionState);
      if (pc.connectionState === "connected") {
        clearTimeout(connectTimer);
        attempts = 0;
        say(localStream ? "已接通，可以语音、视频和文字交流" : "已接通，可以文字和照片交流");
      } else if (pc.connectionState === "failed") {
        warn("音视频连接失败（网络不通），本次以文字和照片继续交流。");
        say("已连接文字交流");
      } else if (pc.connectionState === "disconnected") {
        say("音视频连接不稳定，正在恢复…");
      }
    };
    if (localStream) localStream.getTracks().forEach((t) => pc.addTrack(t, localStream));
    if (screenStream) addScreenTracks();
    // The expert opens a data channel: the call connects even when neither side has a
    // camera or a microphone, so a screen share can still start later.
    if (!polite) pc.createDataChannel("bangban");
    clearTimeout(connectTimer);
    connectTimer = setTimeout(() => {
      if (pc !== peer || pc.connectionState === "connected") return;
      attempts += 1;
      if (attempts >= 2) warn("音视频暂时连不上，文字和照片照常；正在自动重试。");
      // Start again from the top: the expert asks the asker to reset too, then offers.
      if (!polite) send({ kind: "ready" });
    }, 10000);
    return pc;
  }

  async function onSignal({ description, candidate }) {
    if (!hasWebRTC) return;
    if (!pc) newPeer();
    if (!pc) return;
    try {
      if (description) {
        const collision =
          description.type === "offer" && (makingOffer || pc.signalingState !== "stable");
        ignoreOffer = !polite && collision;
        if (ignoreOffer) return;
        await pc.setRemoteDescription(description);
        if (description.type === "offer") {
          await pc.setLocalDescription();
          send({ kind: "signal", description: pc.localDescription });
        }
      } else if (candidate) {
        try {
          await pc.addIceCandidate(candidate);
        } catch (error) {
          if (!ignoreOffer) throw error;
        }
      }
    } catch (error) {
      console.warn("signal", error);
    }
  }

  function placeRemote(stream) {
    if (stream.id === remoteScreenId) {
      showScreen(stream, "remote");
    } else if (stream.getVideoTracks().length || !remoteVideo.srcObject) {
      remoteVideo.srcObject = stream;
    }
  }

  // --- screen sharing and the pointer -----------------------------------------------------

  function showScreen(stream, source) {
    screenSource = source;
    screenVideo.srcObject = stream;
    screenBox.hidden = false;
    pointer.hidden = true;
    state.screen = source;
    root.dataset.screen = source;
    screenCaption.textContent =
      source === "local"
        ? "我共享的屏幕（对方可以在上面指点）"
        : "对方共享的屏幕（在画面上点一下或移动鼠标，即可为对方指出位置）";
  }

  function hideScreen(source) {
    if (screenSource !== source) return;
    screenSource = null;
    screenVideo.srcObject = null;
    screenBox.hidden = true;
    pointer.hidden = true;
    state.screen = "off";
    root.dataset.screen = "off";
  }

  function addScreenTracks() {
    screenSenders = screenStream.getTracks().map((t) => pc.addTrack(t, screenStream));
  }

  async function startShare() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getDisplayMedia) {
      warn("此浏览器不能共享屏幕。");
      return;
    }
    try {
      screenStream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    } catch (error) {
      say("没有共享屏幕（已取消或不允许）");
      return;
    }
    send({ kind: "screen", on: true, stream: screenStream.id });
    screenStream.getVideoTracks()[0].addEventListener("ended", stopShare);
    if (pc) addScreenTracks();
    showScreen(screenStream, "local");
    shareButton.textContent = "停止共享屏幕";
    mediaUsed();
    say("正在共享屏幕");
  }

  function stopShare() {
    if (!screenStream) return;
    screenStream.getTracks().forEach((t) => t.stop());
    if (pc) screenSenders.forEach((s) => pc.removeTrack(s));
    screenSenders = [];
    screenStream = null;
    send({ kind: "screen", on: false });
    hideScreen("local");
    shareButton.textContent = "共享我的屏幕";
  }

  shareButton.addEventListener("click", () => (screenStream ? stopShare() : startShare()));

  function videoBox() {
    // The picture inside the element (object-fit: contain leaves bands on two sides).
    const rect = screenVideo.getBoundingClientRect();
    const w = screenVideo.videoWidth || rect.width;
    const h = screenVideo.videoHeight || rect.height;
    const scale = Math.min(rect.width / w, rect.height / h);
    const width = w * scale;
    const height = h * scale;
    return {
      left: rect.left + (rect.width - width) / 2,
      top: rect.top + (rect.height - height) / 2,
      width: width,
      height: height,
      offsetX: (rect.width - width) / 2,
      offsetY: (rect.height - height) / 2,
    };
  }

  function placePointer(x, y, down) {
    const box = videoBox();
    pointer.style.left = box.offsetX + x * box.width + "px";
    pointer.style.top = box.offsetY + y * box.height + "px";
    pointer.classList.toggle("rs-pointer-down", !!down);
    pointer.hidden = false;
  }

  let lastPointer = 0;
  function pointAt(event, down) {
    if (screenSource !== "remote") return;
    const box = videoBox();
    const x = (event.clientX - box.left) / box.width;
    const y = (event.clientY - box.top) / box.height;
    if (x < 0 || x > 1 || y < 0 || y > 1) return;
    const now = Date.now();
    if (!down && now - lastPointer < 50) return; // at most 20 moves a second
    lastPointer = now;
    placePointer(x, y, down);
    send({ kind: "pointer", x: x, y: y, down: !!down });
  }
  screenWrap.addEventListener("pointermove", (e) => pointAt(e, false));
  screenWrap.addEventListener("pointerdown", (e) => pointAt(e, true));

  // --- chat and photos ----------------------------------------------------------------------

  const chatList = $("rs-chat");
  function addChat(message) {
    const item = document.createElement("li");
    if (message.from === role) item.className = "rs-mine";
    const from = document.createElement("span");
    from.className = "rs-from";
    const at = message.at ? new Date(message.at) : new Date();
    const hhmm = at.toTimeString().slice(0, 5);
    from.textContent = (message.from === role ? "我" : message.name) + " " + hhmm;
    item.append(from, " ", message.text);
    chatList.append(item);
    item.scrollIntoView({ block: "nearest" });
  }

  $("rs-chat-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const box = $("rs-text");
    const text = box.value.trim();
    if (!text) return;
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      warn("连接中断，消息未发出，请稍后再发。");
      return;
    }
    send({ kind: "chat", text: text });
    box.value = "";
  });
  $("rs-text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("rs-chat-form").requestSubmit();
    }
  });

  const photoList = $("rs-photo-list");
  function addPhoto(photo) {
    if (photoList.querySelector('[data-photo="' + photo.id + '"]')) return;
    const item = document.createElement("li");
    item.dataset.photo = photo.id;
    const link = document.createElement("a");
    link.href = photo.url;
    link.target = "_blank";
    link.rel = "noopener";
    const img = document.createElement("img");
    img.src = photo.url;
    img.alt = "照片：" + photo.name;
    link.append(img);
    const who = document.createElement("span");
    who.textContent = photo.from === role ? "我" : photo.sender;
    item.append(link, who);
    photoList.append(item);
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
    } catch (error) {
      return "";
    }
  }

  async function uploadPhoto(blob, name) {
    const body = new FormData();
    body.append("photo", blob, name);
    say("正在发送照片…");
    try {
      const answer = await fetch(page.photos, {
        method: "POST",
        body: body,
        headers: { "X-CSRFToken": csrfToken() },
        credentials: "same-origin",
      });
      const data = await answer.json();
      if (!answer.ok) {
        warn(data.error || "照片未能发送，请重试。");
        return;
      }
      addPhoto(data);
      say("照片已发送");
    } catch (error) {
      warn("照片未能发送（网络中断），请重试。");
    }
  }

  $("rs-photo-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("rs-photo");
    const file = input.files && input.files[0];
    if (!file) {
      warn("请先拍照或选择一张照片。");
      return;
    }
    uploadPhoto(file, file.name);
    input.value = "";
  });

  snapButton.addEventListener("click", () => {
    const canvas = document.createElement("canvas");
    canvas.width = localVideo.videoWidth || 640;
    canvas.height = localVideo.videoHeight || 480;
    canvas.getContext("2d").drawImage(localVideo, 0, 0, canvas.width, canvas.height);
    canvas.toBlob((blob) => blob && uploadPhoto(blob, "拍照.jpg"), "image/jpeg", 0.9);
  });

  // --- the end ------------------------------------------------------------------------------

  function finish(text) {
    ended = true;
    clearTimeout(connectTimer);
    stopShare();
    if (localStream) localStream.getTracks().forEach((t) => t.stop());
    closePeer();
    setRtc("closed");
    say(text);
    root.dataset.ended = "true";
    root.querySelectorAll("button, textarea, input, select").forEach((el) => (el.disabled = true));
  }

  $("rs-end-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!window.confirm("确定结束本次远程帮办吗？")) return;
    const outcome = $("rs-outcome");
    send({ kind: "end", outcome: outcome ? outcome.value : "answered" });
  });

  // --- the socket ----------------------------------------------------------------------------

  let retries = 0;
  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + page.socket);
    socket.addEventListener("open", () => {
      retries = 0;
      state.socket = "open";
      say("正在等待" + page.other + "进入…");
      send({ kind: "ready" });
      mediaUsed();
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      handle(message);
    });
    socket.addEventListener("close", (event) => {
      state.socket = "closed";
      if (ended) {
        return; // already said who ended it
      } else if (event.code === 4403) {
        finish("您不是本次远程帮办的参与人，无法加入。");
      } else if (event.code === 4410) {
        finish("本次远程帮办已结束，谢谢！");
      } else {
        retries += 1;
        say("连接中断，正在重新连接…");
        setTimeout(connect, Math.min(1000 * retries, 5000));
      }
    });
  }

  function handle(message) {
    switch (message.kind) {
      case "ready":
        say(page.other + "已进入，正在接通…");
        if (polite) {
          newPeer();
          send({ kind: "ready" });
        } else {
          newPeer();
        }
        if (screenStream) send({ kind: "screen", on: true, stream: screenStream.id });
        break;
      case "signal":
        onSignal(message);
        break;
      case "screen":
        if (message.on) {
          remoteScreenId = message.stream;
          const stream = remoteStreams.get(remoteScreenId);
          if (stream) showScreen(stream, "remote");
          say(page.other + "正在共享屏幕");
        } else {
          remoteScreenId = null;
          hideScreen("remote");
        }
        break;
      case "pointer":
        if (screenSource === "local") placePointer(message.x, message.y, message.down);
        break;
      case "media":
        if (!message.audio && !message.video) {
          warn(page.other + "没有打开摄像头和麦克风，可用文字和照片交流。");
        }
        break;
      case "chat":
        addChat(message);
        break;
      case "photo":
        addPhoto(message);
        if (message.from !== role) say(page.other + "发来一张照片");
        break;
      case "left":
        say(page.other + "已离开页面，正在等待对方回来…");
        break;
      case "ended":
        finish((message.from === role ? "您" : page.other) + "已结束本次远程帮办，谢谢！");
        break;
      case "error":
        warn(message.message);
        break;
    }
  }

  if (ended) {
    finish("本次远程帮办已结束");
    return;
  }
  openMedia().then(connect);
})();
