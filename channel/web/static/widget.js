/*
 * Parley web chat widget. Add to any page:
 *
 *   <script src="https://your.app/chat/widget.js" async></script>
 *
 * Optional attributes on the script tag:
 *   data-open="true"        open the panel on load
 *   data-idle-seconds="45"  report a "page.idle" event after that long without input
 *   data-transport="sse"    skip the WebSocket and use the event stream + POST
 *   data-token="..."        a visitor token minted by the application
 *
 * Page API: parley.track(name, data), parley.open(), parley.close(),
 * parley.send(text), parley.signedIn(text, translations) (who the visitor
 * is signed in as, shown under the title in place of Labels.SignedIn; ""
 * shows nothing: call it when the page's sign-in changes; translations,
 * optional, are the text by language, {es: "Sesión iniciada como Ada"},
 * shown while the conversation is in that language). Calls made before the widget loads are queued if the
 * page defines window.parley = window.parley || {q: []} and pushes
 * [method, args] pairs onto q.
 *
 * Plain ES2017, no build step, no dependencies. Everything the server or
 * the bot sends is inserted as text, never as HTML.
 */
(function () {
  "use strict";
  if (window.__parleyWidget) return;
  window.__parleyWidget = true;

  var script = document.currentScript;
  if (!script || !script.src) return;
  var base = new URL(".", script.src).href;
  var ds = script.dataset || {};
  var opts = {
    open: ds.open === "true",
    idle: Math.max(0, parseInt(ds.idleSeconds || "0", 10) || 0),
    transport: ds.transport === "sse" ? "sse" : "auto",
    token: ds.token || ""
  };
  var storeKey = "parley.token:" + base;

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function storeGet() { try { return localStorage.getItem(storeKey) || ""; } catch (e) { return ""; } }
  function storeSet(v) { try { if (v) localStorage.setItem(storeKey, v); else localStorage.removeItem(storeKey); } catch (e) { /* storage disabled */ } }
  function safeURL(u) {
    if (!u) return "";
    try {
      var x = new URL(u, base);
      return x.protocol === "https:" || x.protocol === "http:" ? x.href : "";
    } catch (e) { return ""; }
  }
  // icon returns an inline SVG from a path, so that no emoji font is needed.
  function icon(d, size) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", String(size));
    svg.setAttribute("height", String(size));
    svg.setAttribute("aria-hidden", "true");
    var p = document.createElementNS(ns, "path");
    p.setAttribute("d", d);
    p.setAttribute("fill", "currentColor");
    svg.appendChild(p);
    return svg;
  }
  var ICON_CHAT = "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z";
  var ICON_CLIP = "M16.5 6.5v10a4.5 4.5 0 0 1-9 0V6a3 3 0 0 1 6 0v9.5a1.5 1.5 0 0 1-3 0V7H9v8.5a3 3 0 0 0 6 0V6a4.5 4.5 0 0 0-9 0v10.5a6 6 0 0 0 12 0v-10h-1.5z";
  var ICON_FILE = "M6 2h8l6 6v12a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2zm7 1.5V9h5.5L13 3.5z";
  var ICON_MIC = "M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.92V21h2v-3.08A7 7 0 0 0 19 11h-2z";

  // utf8Len is the length of s in UTF-8 bytes, as the server counts it.
  function utf8Len(s) { return new TextEncoder().encode(s).length; }

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text != null) n.textContent = text;
    return n;
  }

  // Labels: the widget's own texts, replaced by the server's Config.Labels.
  var L = {
    placeholder: "Type a message\u2026",
    send: "Send",
    human: "Talk to a human",
    leave_queue: "Leave the queue",
    consent_yes: "Yes, keep it",
    consent_no: "No thanks",
    sending: "Sending\u2026",
    delivered: "Delivered",
    read: "Read",
    not_sent: "Not sent",
    reconnecting: "Reconnecting\u2026",
    uploading: "Uploading",
    too_large: "That file is too large",
    too_long: "That message is too long ({n} characters; the limit is {max}). Please shorten it or send it in parts.",
    network: "Network problem; unsent messages are sent again when the connection is back.",
    rate_limited: "You\u2019re sending messages quickly \u2014 please wait a moment and try again.",
    upload_type: "That type of file can\u2019t be sent here.",
    failed: "That message couldn\u2019t be sent. Please try again.",
    open: "Open chat",
    close: "Close chat",
    attach: "Attach a file",
    record: "Record a voice message",
    stop_recording: "Stop recording and send",
    typing: "The assistant is typing",
    message: "Message",
    greeting: "Hi! How can I help you today?",
    signed_in: ""
  };
  // DEFAULTS are the English texts; BASE is them with the server's
  // Config.Labels over them; L is BASE with the translation for the
  // conversation's language (Config.Translations) over it.
  var DEFAULTS = Object.assign({}, L), BASE = L;

  // ---- state ----
  var S = {
    token: opts.token || storeGet(),
    conv: "",
    cfg: null,
    consent: "unknown",
    ws: null,
    mode: opts.transport,   // "auto" (WebSocket first), "ws", "sse"
    ready: false,
    sseAbort: null,
    outbox: [],             // frames waiting for a connection
    pending: {},            // id -> frame of user messages not yet acknowledged
    read: {},               // id -> true for user messages shown read
    shown: {},              // entry id -> element
    signedIn: null,         // the page's parley.signedIn text, over the server's label
    signedInTr: null,       // its translations by language
    tooLong: false,         // the status says the typed message is too long
    lang: "",               // the language whose translation L shows ("" for BASE)
    human: "bot",           // who answers: "bot", "waiting" (for a person) or "agent"
    quick: [],              // the quick replies shown, for a typed option number
    open: false,
    unread: 0,
    retry: 0,
    typingTimer: 0,
    wsFailures: 0,
    retryTimer: 0,          // the pending reconnectLater
    recorder: null          // the MediaRecorder while recording
  };

  // ---- DOM ----
  var host = el("div");
  host.id = "parley-chat";
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var css = el("link");
  css.rel = "stylesheet";
  css.href = base + "widget.css";
  root.appendChild(css);

  var launcher = el("button", "launcher");
  launcher.type = "button";
  launcher.setAttribute("aria-label", L.open);
  launcher.appendChild(icon(ICON_CHAT, 26));
  var badge = el("span", "badge");
  badge.hidden = true;
  launcher.appendChild(badge);

  var panel = el("section", "panel");
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  var header = el("div", "header");
  var heading = el("div", "heading");
  var title = el("h2", "title", "Chat");
  title.id = "parley-title";
  var who = el("span", "who");
  heading.appendChild(title);
  heading.appendChild(who);
  panel.setAttribute("aria-labelledby", "parley-title");
  var humanBtn = el("button", "human", L.human);
  humanBtn.type = "button";
  var closeBtn = el("button", "close", "\u00d7");
  closeBtn.type = "button";
  closeBtn.setAttribute("aria-label", L.close);
  header.appendChild(heading);
  header.appendChild(humanBtn);
  header.appendChild(closeBtn);

  var log = el("div", "log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  var notice = el("div", "notice");
  var consentBox = el("div", "consent");
  consentBox.hidden = true;
  var consentQ = el("p", "consent-question");
  var consentYes = el("button", "consent-yes", L.consent_yes);
  var consentNo = el("button", "consent-no", L.consent_no);
  consentYes.type = consentNo.type = "button";
  consentBox.appendChild(consentQ);
  consentBox.appendChild(consentYes);
  consentBox.appendChild(consentNo);
  var msgs = el("div", "messages");
  log.appendChild(notice);
  log.appendChild(consentBox);
  log.appendChild(msgs);

  var typing = el("div", "typing");
  typing.hidden = true;
  typing.setAttribute("aria-label", L.typing);
  typing.appendChild(el("span"));
  typing.appendChild(el("span"));
  typing.appendChild(el("span"));
  var quick = el("div", "quick");

  var form = el("form", "compose");
  var attach = el("button", "attach");
  attach.appendChild(icon(ICON_CLIP, 20));
  attach.type = "button";
  attach.setAttribute("aria-label", L.attach);
  var fileInput = el("input");
  fileInput.type = "file";
  fileInput.hidden = true;
  // The record button is shown once the server accepts recordings (see
  // canRecord); a recording is sent through the same upload path.
  var recordBtn = el("button", "attach record");
  recordBtn.appendChild(icon(ICON_MIC, 20));
  recordBtn.type = "button";
  recordBtn.hidden = true;
  recordBtn.setAttribute("aria-label", L.record);
  recordBtn.setAttribute("aria-pressed", "false");
  var input = el("textarea", "input");
  input.rows = 1;
  input.placeholder = L.placeholder;
  input.setAttribute("aria-label", L.message);
  var sendBtn = el("button", "send", L.send);
  sendBtn.type = "submit";
  form.appendChild(attach);
  form.appendChild(recordBtn);
  form.appendChild(fileInput);
  form.appendChild(input);
  form.appendChild(sendBtn);
  var status = el("div", "status");
  status.setAttribute("role", "status");

  panel.appendChild(header);
  panel.appendChild(log);
  panel.appendChild(typing);
  panel.appendChild(quick);
  panel.appendChild(form);
  panel.appendChild(status);
  root.appendChild(panel);
  root.appendChild(launcher);

  function mount() { document.body.appendChild(host); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);

  // ---- UI behaviour ----
  function setOpen(v) {
    var was = S.open;
    S.open = v;
    panel.hidden = !v;
    launcher.hidden = v;
    if (v) {
      S.unread = 0;
      badge.hidden = true;
      greet();
      scrollDown();
      input.focus();
    } else if (was) {
      launcher.focus(); // keyboard users land where they were
    }
  }
  // greet shows a greeting when the panel opens on an empty
  // conversation, so that it never opens blank. It is the widget's own
  // text (Config.Labels["greeting"]), not part of the transcript.
  function greet() {
    if (msgs.querySelector(".msg") || !L.greeting) return;
    var row = el("div", "msg bot greeting");
    var b = el("div", "bubble");
    b.appendChild(el("div", "text", L.greeting));
    row.appendChild(b);
    msgs.appendChild(row);
  }
  panel.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" || ev.key === "Esc") { ev.preventDefault(); ev.stopPropagation(); setOpen(false); }
  });
  launcher.addEventListener("click", function () { setOpen(true); });
  closeBtn.addEventListener("click", function () { setOpen(false); });
  humanBtn.addEventListener("click", function () {
    var c = S.cfg || {};
    if (S.human === "waiting") {
      // Waiting for a person: the button leaves the queue.
      sendMessage(L.leave_queue, "exit");
      return;
    }
    // The label is what the visitor sees; the payload is what flows match.
    var custom = (c.labels && c.labels.human) || S.lang;
    sendMessage(custom ? L.human : (c.human_text || "talk to a human"), c.human_payload || "human");
  });
  consentYes.addEventListener("click", function () { answerConsent(true); });
  consentNo.addEventListener("click", function () { answerConsent(false); });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var t = input.value.trim();
    if (!t) return;
    var max = (S.cfg && S.cfg.max_message) || 0;
    if (max && utf8Len(t) > max) {
      // Refused here, not by the server: the text stays to be shortened,
      // and the status says by how much.
      S.tooLong = true;
      showStatus(tooLongText(t, max), true);
      return;
    }
    input.value = "";
    sendMessage(t, optionFor(t));
  });
  // tooLongText says how long text is and how many of its characters
  // fit in max UTF-8 bytes (the server's limit).
  function tooLongText(text, max) {
    var chars = Array.from(text), fit = 0, bytes = 0;
    for (var i = 0; i < chars.length; i++) {
      bytes += utf8Len(chars[i]);
      if (bytes > max) break;
      fit++;
    }
    var fmt = function (n) { return n.toLocaleString(S.lang || navigator.language || undefined); };
    return L.too_long.replace("{n}", fmt(chars.length)).replace("{max}", fmt(fit));
  }
  // optionFor returns the payload of the quick reply a typed text picks:
  // one whose title or payload it is, or, for a number, the option at
  // that place in the list ("2" for the second), as the terminal
  // channel reads numbers. "" when it picks none.
  function optionFor(text) {
    var q = S.quick || [], t = text.trim().toLowerCase();
    for (var i = 0; i < q.length; i++) {
      if ((q[i].title || "").toLowerCase() === t || (q[i].payload || "").toLowerCase() === t) return q[i].payload || q[i].title;
    }
    if (/^[0-9]{1,2}$/.test(t)) {
      var n = parseInt(t, 10);
      if (n >= 1 && n <= q.length) return q[n - 1].payload || q[n - 1].title;
    }
    return "";
  }
  input.addEventListener("input", function () {
    var max = (S.cfg && S.cfg.max_message) || 0;
    if (S.tooLong && (!max || utf8Len(input.value.trim()) <= max)) {
      S.tooLong = false;
      showStatus("");
    }
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey) {
      ev.preventDefault();
      if (form.requestSubmit) form.requestSubmit(); else form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });
  attach.addEventListener("click", function () { fileInput.click(); });
  fileInput.addEventListener("change", function () {
    var f = fileInput.files && fileInput.files[0];
    fileInput.value = "";
    if (f) upload(f);
  });
  recordBtn.addEventListener("click", function () {
    if (S.recorder) { S.recorder.stop(); return; }
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      var rec = new MediaRecorder(stream), chunks = [];
      S.recorder = rec;
      recordBtn.setAttribute("aria-pressed", "true");
      recordBtn.setAttribute("aria-label", L.stop_recording);
      rec.ondataavailable = function (ev) { if (ev.data && ev.data.size) chunks.push(ev.data); };
      rec.onstop = function () {
        stream.getTracks().forEach(function (t) { t.stop(); });
        S.recorder = null;
        recordBtn.setAttribute("aria-pressed", "false");
        recordBtn.setAttribute("aria-label", L.record);
        var type = (rec.mimeType || "audio/webm").split(";")[0];
        var ext = type.indexOf("ogg") >= 0 ? "ogg" : type.indexOf("mp4") >= 0 ? "m4a" : "webm";
        if (chunks.length) upload(new File(chunks, "voice-message." + ext, { type: type }));
      };
      rec.start();
    }).catch(function (e) { showStatus(e && e.message ? e.message : String(e), true); });
  });
  // canRecord reports whether this browser can record and the server
  // accepts what it records (WebM or Ogg, as sniffed from the content).
  function canRecord(types) {
    if (!window.MediaRecorder || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return false;
    return (types || []).some(function (t) { return t === "video/webm" || t === "application/ogg" || t.indexOf("audio/") === 0; });
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }
  function showStatus(text, isError) {
    status.textContent = text || "";
    status.className = "status" + (isError ? " error" : "");
  }
  function showTyping(v) {
    clearTimeout(S.typingTimer);
    typing.hidden = !v;
    if (v) {
      S.typingTimer = setTimeout(function () { typing.hidden = true; }, 15000);
      scrollDown();
    }
  }
  // focusInChat moves the keyboard to the input when el, about to be
  // hidden, has it: a hidden element's focus falls to the page's body,
  // and a keyboard user would have to find their way back.
  function focusInChat(el) {
    var a = root.activeElement || document.activeElement;
    if (a && el.contains(a)) input.focus();
  }
  function renderConsent() {
    var hide = S.consent !== "unknown";
    if (hide) focusInChat(consentBox);
    consentBox.hidden = hide;
  }
  function answerConsent(granted) {
    S.consent = granted ? "granted" : "declined";
    storeSet(granted ? S.token : "");
    renderConsent();
    send({ type: "consent", granted: granted });
  }

  function renderQuick(replies) {
    quick.textContent = "";
    S.quick = replies || [];
    (replies || []).forEach(function (q) {
      var b = el("button", "quick-reply", q.title);
      b.type = "button";
      b.addEventListener("click", function () {
        quick.textContent = "";
        sendMessage(q.title, q.payload || "");
        input.focus(); // the tapped button is gone: keep the keyboard in the chat
      });
      quick.appendChild(b);
    });
  }

  function renderCard(c) {
    var card = el("div", "card");
    var img = safeURL(c.image_url || "");
    if (img) {
      var i = el("img", "card-image");
      i.src = img;
      i.alt = c.title || "";
      card.appendChild(i);
    }
    var body = el("div", "card-body");
    var link = safeURL(c.url || "");
    var t = el(link ? "a" : "div", "card-title", c.title || "");
    if (link) { t.href = link; t.target = "_blank"; t.rel = "noopener noreferrer"; }
    body.appendChild(t);
    if (c.subtitle) body.appendChild(el("div", "card-subtitle", c.subtitle));
    (c.buttons || []).forEach(function (btn) {
      var u = safeURL(btn.url || "");
      var b;
      if (u) {
        b = el("a", "card-button", btn.title);
        b.href = u; b.target = "_blank"; b.rel = "noopener noreferrer";
      } else {
        b = el("button", "card-button", btn.title);
        b.type = "button";
        b.addEventListener("click", function () { sendMessage(btn.title, btn.payload || ""); });
      }
      body.appendChild(b);
    });
    card.appendChild(body);
    return card;
  }

  function renderAttachment(a) {
    var u = safeURL(a.url || "");
    if (!u) return null;
    var mt = a.mime_type || "";
    if (a.kind === "audio" || mt.indexOf("audio/") === 0 || mt === "application/ogg" || (mt === "video/webm" && /^voice-message\./.test(a.name || ""))) {
      var au = el("audio", "attachment-audio");
      au.controls = true;
      au.preload = "none";
      au.src = u;
      au.setAttribute("aria-label", a.name || "audio");
      return au;
    }
    if (a.kind === "image") {
      var l = el("a", "attachment-image");
      l.href = u; l.target = "_blank"; l.rel = "noopener noreferrer";
      var i = el("img");
      i.src = u;
      i.alt = a.name || "image";
      l.appendChild(i);
      return l;
    }
    var f = el("a", "attachment-file");
    f.appendChild(icon(ICON_FILE, 16));
    f.appendChild(document.createTextNode(" " + (a.name || "file")));
    f.href = u; f.target = "_blank"; f.rel = "noopener noreferrer";
    return f;
  }

  // linkify returns the text element of a bot message with its web
  // addresses as links: "Title (https://...)", as knowledge-base sources
  // are written, links the title; a bare address links itself. Only
  // http and https addresses become links; everything is text nodes.
  var URL_RE = /(?:([^\s;:()][^;:()\n]*?) \((https?:\/\/[^\s()]+)\))|(https?:\/\/[^\s()<>]+[^\s()<>.,;:!?'"])/g;
  function linkify(text) {
    var d = el("div", "text");
    var last = 0, m;
    URL_RE.lastIndex = 0;
    while ((m = URL_RE.exec(text)) !== null) {
      var href = safeURL(m[2] || m[3]);
      if (!href) continue;
      d.appendChild(document.createTextNode(text.slice(last, m.index)));
      var a = el("a", null, m[1] || m[3]);
      a.href = href; a.target = "_blank"; a.rel = "noopener noreferrer";
      d.appendChild(a);
      last = m.index + m[0].length;
    }
    d.appendChild(document.createTextNode(text.slice(last)));
    return d;
  }

  // render shows a transcript entry once; it returns whether it was new.
  function render(e) {
    if (!e || !e.id || S.shown[e.id]) return false;
    var m = e.message || {};
    var row = el("div", "msg " + (e.role === "user" ? "user" : m.agent ? "bot agent" : "bot"));
    if (m.agent && e.role !== "user") {
      // A person from the team: their name and initial, not the bot's look.
      var who = el("div", "from");
      who.appendChild(el("span", "avatar", m.agent.charAt(0).toUpperCase())).setAttribute("aria-hidden", "true");
      who.appendChild(el("span", "name", m.agent));
      row.appendChild(who);
    }
    var bubble = el("div", "bubble");
    if (m.text) bubble.appendChild(e.role === "user" ? el("div", "text", m.text) : linkify(m.text));
    (m.attachments || []).forEach(function (a) {
      var n = renderAttachment(a);
      if (n) bubble.appendChild(n);
    });
    row.appendChild(bubble);
    if (m.cards && m.cards.length) {
      var cards = el("div", "cards");
      m.cards.forEach(function (c) { cards.appendChild(renderCard(c)); });
      row.appendChild(cards);
    }
    if (e.role === "user") {
      // Read as the server's history says (a reload keeps it), or as a
      // read frame said before the message was drawn.
      if (e.read) S.read[e.id] = true;
      var read = S.read[e.id];
      row.appendChild(el("div", read ? "meta read" : "meta", read ? L.read : S.pending[e.id] ? L.sending : L.delivered));
    }
    msgs.appendChild(row);
    S.shown[e.id] = row;
    if (e.role !== "user") {
      renderQuick(m.quick_replies);
      showTyping(false);
      if (m.locale) setLanguage(m.locale);
      if (e.human) setHuman(e.human);
    } else {
      renderQuick(null);
    }
    scrollDown();
    return true;
  }
  function setMeta(id, text, cls) {
    var row = S.shown[id];
    if (!row) return;
    var meta = row.querySelector(".meta");
    if (meta) { meta.textContent = text; meta.className = "meta" + (cls ? " " + cls : ""); }
  }

  // ---- sending ----
  function sendMessage(text, payload) {
    var id = uuid();
    var f = { type: "message", id: id, text: text, locale: navigator.language || "" };
    if (payload) f.payload = payload;
    S.pending[id] = f;
    render({ id: id, role: "user", message: { text: text }, time: new Date().toISOString() });
    send(f);
  }
  function track(name, data) {
    var d = {};
    Object.keys(data || {}).forEach(function (k) { d[k] = String(data[k]); });
    send({ type: "track", id: uuid(), name: String(name), data: d });
  }
  function send(f) {
    if (!S.ready) { S.outbox.push(f); return; }
    if (S.ws && S.ws.readyState === 1) { S.ws.send(JSON.stringify(f)); return; }
    if (S.mode === "sse") { post("send", JSON.stringify(f), "application/json", f.id); return; }
    S.outbox.push(f);
  }
  function post(path, body, ctype, id) {
    var h = { Authorization: "Bearer " + S.token };
    if (ctype) h["Content-Type"] = ctype;
    return fetch(base + path, { method: "POST", headers: h, body: body }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) onError(j.error || { code: "http_" + r.status, message: "Request failed (" + r.status + ")" }, id);
        return j;
      });
    }).catch(function () {
      onError({ code: "network", message: L.network }, id);
    });
  }
  function upload(file) {
    var c = S.cfg || {};
    if (c.max_upload && file.size > c.max_upload) {
      showStatus(L.too_large + " (" + Math.round(c.max_upload / 1048576) + " MB).", true);
      return;
    }
    var id = uuid();
    var fd = new FormData();
    fd.append("id", id);
    fd.append("file", file, file.name);
    showStatus(L.uploading + " " + file.name + "\u2026");
    post("upload", fd, "", id).then(function (j) { if (j && j.ok) showStatus(""); });
  }
  function onError(err, id) {
    var f = id ? S.pending[id] : null;
    showStatus(refusal(err.code, f), true);
    if (f && err.code !== "network") {
      delete S.pending[id];
      setMeta(id, L.not_sent, "failed");
      // The refused text goes back into the box, to send again once
      // the reason is gone: nothing typed is lost.
      if (f.type === "message" && f.text && !input.value.trim()) input.value = f.text;
    }
  }
  // refusal says why the server refused a frame (f, when it was a
  // message), in the conversation's language: never the server's own
  // error text, which is written for developers.
  function refusal(code, f) {
    var max = (S.cfg && S.cfg.max_message) || 0;
    switch (code) {
      case "network": return L.network;
      case "rate_limited": return L.rate_limited;
      case "upload_type": return L.upload_type;
      case "too_large":
        if (f && f.type === "message") return max ? tooLongText(f.text, max) : L.failed;
        return L.too_large + ".";
    }
    return L.failed;
  }

  // ---- receiving ----
  function handle(f) {
    switch (f.type) {
      case "ready":
        S.ready = true;
        S.retry = 0;
        S.consent = f.consent || S.consent;
        renderConsent();
        if (f.history && f.history.length) {
          var g = msgs.querySelector(".greeting");
          if (g) g.parentNode.removeChild(g);
        }
        (f.history || []).forEach(render);
        showStatus("");
        var box = S.outbox;
        S.outbox = [];
        Object.keys(S.pending).forEach(function (id) {
          if (box.indexOf(S.pending[id]) < 0) box.push(S.pending[id]);
        });
        box.forEach(send);
        break;
      case "message":
        if (render(f.entry) && f.entry.role !== "user" && !S.open) {
          S.unread++;
          badge.textContent = String(S.unread);
          badge.hidden = false;
        }
        break;
      case "typing":
        showTyping(true);
        break;
      case "ack":
        // A Bot that runs turns after accepting them may show the message
        // read before the ack arrives: an ack never undoes "read".
        if (S.pending[f.id]) { delete S.pending[f.id]; if (!S.read[f.id]) setMeta(f.id, L.delivered); }
        break;
      case "read":
        S.read[f.id] = true;
        setMeta(f.id, L.read, "read");
        break;
      case "consent":
        S.consent = f.consent;
        storeSet(f.consent === "granted" ? S.token : "");
        renderConsent();
        break;
      case "error":
        onError(f, f.id);
        break;
    }
  }

  function over(into, l) {
    Object.keys(DEFAULTS).concat(["title", "notice", "question"]).forEach(function (k) {
      if (l && typeof l[k] === "string" && l[k]) into[k] = l[k];
    });
    return into;
  }
  // translation returns the server's labels for locale (a tag such as
  // "es-MX"): the tag's own, else its language's; and the key it used.
  function translation(locale) {
    var tr = (S.cfg && S.cfg.translations) || {}, tag = String(locale || "").toLowerCase().replace("_", "-");
    if (tr[tag]) return [tag, tr[tag]];
    var lang = tag.split("-")[0];
    if (tr[lang]) return [lang, tr[lang]];
    return ["", null];
  }
  // setLanguage shows the widget's texts in the language of locale: its
  // translation, or the server's labels when there is none.
  function setLanguage(locale) {
    var t = translation(locale);
    if (t[0] === S.lang) return;
    S.lang = t[0];
    L = over(Object.assign({}, BASE), t[1]);
    var c = S.cfg || {};
    title.textContent = L.title || c.title || "Chat";
    panel.setAttribute("aria-label", title.textContent);
    notice.textContent = L.notice || c.notice || "";
    consentQ.textContent = L.question || c.question || "";
    var g = msgs.querySelector(".greeting .text");
    if (g) g.textContent = L.greeting;
    if (S.tooLong) showStatus(tooLongText(input.value.trim(), c.max_message || 0), true);
    showLabels();
  }
  // setHuman changes the header button by who answers: "Talk to a
  // human" with the bot, "Leave the queue" while waiting for a person,
  // nothing while a person answers.
  function setHuman(h) {
    S.human = h;
    if (h === "agent") focusInChat(humanBtn);
    humanBtn.hidden = h === "agent";
    humanBtn.textContent = h === "waiting" ? L.leave_queue : L.human;
  }

  // applyLabels takes the server's labels and shows them in the
  // browser's language, when the server has a translation for it.
  function applyLabels(l) {
    BASE = over(Object.assign({}, DEFAULTS), l);
    S.lang = null; // shown afresh
    setLanguage(navigator.language || "");
  }
  // showLabels shows L.
  function showLabels() {
    launcher.setAttribute("aria-label", L.open);
    setHuman(S.human);
    closeBtn.setAttribute("aria-label", L.close);
    consentYes.textContent = L.consent_yes;
    consentNo.textContent = L.consent_no;
    typing.setAttribute("aria-label", L.typing);
    attach.setAttribute("aria-label", L.attach);
    recordBtn.setAttribute("aria-label", S.recorder ? L.stop_recording : L.record);
    input.placeholder = L.placeholder;
    input.setAttribute("aria-label", L.message);
    sendBtn.textContent = L.send;
    setWho(pageWho());
  }
  // pageWho is who the visitor is signed in as, in the widget's language:
  // the page's text (its translation, when it gave one for the language
  // shown), else the server's label.
  function pageWho() {
    if (S.signedIn == null) return L.signed_in;
    var tr = S.signedInTr || {}, lang = S.lang || "";
    if (lang && typeof tr[lang] === "string") return tr[lang];
    if (lang && typeof tr[lang.split("-")[0]] === "string") return tr[lang.split("-")[0]];
    return S.signedIn;
  }

  // setWho shows who the visitor is signed in as; the whole text is also
  // the element's title, should a narrow screen cut it short.
  function setWho(text) {
    who.textContent = text || "";
    if (text) who.title = text; else who.removeAttribute("title");
  }

  // ---- connecting ----
  function start() {
    var h = {};
    if (S.token) h.Authorization = "Bearer " + S.token;
    fetch(base + "session", { method: "POST", headers: h }).then(function (r) {
      if (!r.ok) throw new Error("session " + r.status);
      return r.json();
    }).then(function (j) {
      if (S.conv && j.conversation !== S.conv) {
        // The old conversation could not be resumed: start clean.
        msgs.textContent = "";
        S.shown = {};
      }
      S.cfg = j;
      S.token = j.token;
      S.conv = j.conversation;
      S.consent = j.consent;
      if (j.consent === "granted") storeSet(j.token); else if (storeGet()) storeSet("");
      applyLabels(j.labels || {});
      recordBtn.hidden = !canRecord(j.upload_types);
      renderConsent();
      (j.history || []).forEach(render);
      connect();
    }).catch(function () { reconnectLater(); });
  }
  function connect() {
    if (S.mode === "sse" || !window.WebSocket) { S.mode = "sse"; openSSE(); return; }
    var ws;
    try { ws = new WebSocket(base.replace(/^http/, "ws") + "ws"); } catch (e) { fallback(); return; }
    S.ws = ws;
    var opened = false;
    ws.onopen = function () {
      opened = true;
      S.wsFailures = 0; // only failures in a row mean WebSockets are blocked
      ws.send(JSON.stringify({ type: "hello", token: S.token }));
    };
    ws.onmessage = function (ev) {
      var data;
      try { data = JSON.parse(ev.data); } catch (e) { return; }
      // Frames queued together arrive as one JSON array.
      (Array.isArray(data) ? data : [data]).forEach(function (f) {
        if (f && f.type === "ready") S.mode = "ws";
        if (f) handle(f);
      });
    };
    ws.onclose = function (ev) {
      if (S.ws === ws) S.ws = null;
      S.ready = false;
      if (ev.code === 1008) {
        // The token was refused: start a new conversation.
        S.token = ""; S.conv = ""; storeSet("");
        msgs.textContent = "";
        S.shown = {};
        start();
        return;
      }
      // Offline, every attempt fails: that says nothing about WebSockets
      // (counted, a few seconds offline switched to the event stream for
      // the rest of the page's life).
      if (!opened && navigator.onLine !== false && ++S.wsFailures >= 2) { fallback(); return; }
      reconnectLater();
    };
  }
  function fallback() {
    S.mode = "sse";
    openSSE();
  }
  function openSSE() {
    if (S.sseAbort) S.sseAbort.abort();
    var ctl = new AbortController();
    S.sseAbort = ctl;
    fetch(base + "events", { headers: { Authorization: "Bearer " + S.token }, signal: ctl.signal }).then(function (r) {
      if (r.status === 401) {
        S.token = ""; S.conv = ""; storeSet(""); S.ready = false;
        msgs.textContent = "";
        S.shown = {};
        start();
        return;
      }
      if (!r.ok || !r.body) throw new Error("events " + r.status);
      var reader = r.body.getReader();
      var dec = new TextDecoder();
      var buf = "";
      function pump() {
        return reader.read().then(function (x) {
          if (x.done) throw new Error("stream ended");
          buf += dec.decode(x.value, { stream: true });
          var i;
          while ((i = buf.indexOf("\n\n")) >= 0) {
            var chunk = buf.slice(0, i);
            buf = buf.slice(i + 2);
            chunk.split("\n").forEach(function (line) {
              if (line.indexOf("data: ") === 0) {
                try { handle(JSON.parse(line.slice(6))); } catch (e) { /* skip a bad event */ }
              }
            });
          }
          return pump();
        });
      }
      return pump();
    }).catch(function () {
      S.ready = false;
      if (!ctl.signal.aborted) reconnectLater();
    });
  }
  function reconnectLater() {
    S.ready = false;
    var d = Math.min(30000, 500 * Math.pow(2, S.retry++)) * (0.5 + Math.random() / 2);
    showStatus(L.reconnecting);
    clearTimeout(S.retryTimer);
    S.retryTimer = setTimeout(function () { if (S.conv) connect(); else start(); }, d);
  }
  // Back online: connect now rather than at the end of a back-off that
  // may have grown to 30 s, so that what was typed offline goes out.
  window.addEventListener("online", function () {
    if (S.ready || (S.ws && S.ws.readyState <= 1)) return;
    clearTimeout(S.retryTimer);
    S.retry = 0;
    if (S.conv) connect(); else start();
  });

  // ---- page events ----
  if (opts.idle > 0) {
    var idleTimer = 0, idleSent = false;
    var resetIdle = function () {
      if (idleSent) return;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(function () {
        idleSent = true;
        track("page.idle", { path: location.pathname, seconds: String(opts.idle) });
      }, opts.idle * 1000);
    };
    ["mousemove", "keydown", "scroll", "touchstart"].forEach(function (t) {
      window.addEventListener(t, resetIdle, { passive: true });
    });
    resetIdle();
  }

  var api = {
    track: track,
    open: function () { setOpen(true); },
    close: function () { setOpen(false); },
    send: function (t) { if (t) sendMessage(String(t), ""); },
    signedIn: function (t, tr) {
      S.signedIn = t == null ? "" : String(t);
      S.signedInTr = tr && typeof tr === "object" ? tr : null;
      setWho(pageWho());
    }
  };
  var q = (window.parley && window.parley.q) || [];
  window.parley = api;
  q.forEach(function (c) { if (api[c[0]]) api[c[0]].apply(null, c[1] || []); });

  start();
  if (opts.open) setOpen(true);
})();
