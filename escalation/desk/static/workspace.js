// Parley agents' workspace: queue, conversation, approvals, live over
// Server-Sent Events. No dependencies; text is only ever set with
// textContent.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var S = {
    agent: "", state: null, open: "", openApproval: "", detail: null,
    mode: "reply", seen: {}, firstState: true, drafts: {}
  };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }
  function ago(msTime) {
    if (!msTime) return "";
    var s = Math.max(0, Math.round((Date.now() - msTime) / 1000));
    if (s < 60) return s + " s";
    var m = Math.round(s / 60);
    if (m < 60) return m + " min";
    var h = Math.floor(m / 60);
    return h + " h " + (m % 60) + " min";
  }
  function clock(msTime) {
    return new Date(msTime).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }
  function firstName(d) {
    var n = "";
    (d && d.profile || []).forEach(function (kv) { if (kv[0] === "First name") n = kv[1]; });
    if (!n && d && d.customer && !/^cus_|^visitor/i.test(d.customer)) n = d.customer.split(" ")[0];
    return n || "there";
  }

  // ---- API ----
  function api(method, path, body) {
    var opts = { method: method, headers: {} };
    if (body !== undefined) {
      body.agent = S.agent;
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(path, opts).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) throw new Error(j.error || ("HTTP " + r.status));
        return j;
      });
    });
  }

  // ---- agent name ----
  function askName() {
    var d = $("d-name");
    $("name-in").value = localStorage.getItem("parley.agent") || "";
    d.showModal();
  }
  $("f-name").addEventListener("submit", function () {
    var v = $("name-in").value.trim().replace(/\s+/g, " ");
    if (!v) return;
    try { localStorage.setItem("parley.agent", v); } catch (e) { /* storage off */ }
    S.agent = v;
    $("me").textContent = v;
    connect();
  });

  // ---- live state ----
  var es = null;
  function connect() {
    if (es) es.close();
    es = new EventSource("api/events" + (S.agent ? "?agent=" + encodeURIComponent(S.agent) : ""));
    es.addEventListener("state", function (ev) {
      $("live").textContent = "live";
      $("live").className = "live on";
      applyState(JSON.parse(ev.data));
    });
    es.onerror = function () {
      $("live").textContent = "reconnecting…";
      $("live").className = "live";
    };
  }

  function applyState(st) {
    S.state = st;
    if (st.agent) { S.agent = st.agent; $("me").textContent = st.agent; }
    $("online").textContent = st.online && st.online.length ? "Online: " + st.online.join(", ") : "";
    var dl = $("agents");
    clear(dl);
    (st.online || []).forEach(function (a) { if (a !== S.agent) { var o = el("option"); o.value = a; dl.appendChild(o); } });
    renderCanned(st.canned || []);
    renderQueue();
    renderApprovals();
    var cur = find(st.queue, S.open) || find(st.recent, S.open);
    if (S.open && cur && S.detail && cur.version !== S.detail.version) loadDetail(S.open);
    if (S.detail) keepBottom($("transcript"), false, renderConvApprovals);
    if (S.openApproval) openApproval(S.openApproval, true);
    S.firstState = false;
  }
  function find(list, id) {
    for (var i = 0; list && i < list.length; i++) if (list[i].id === id) return list[i];
    return null;
  }

  var cannedKey = "";
  function base(loc) { return String(loc || "").toLowerCase().split(/[-_]/)[0]; }
  // renderCanned offers the canned replies in the open conversation's
  // language when some are written in it, else those without a locale.
  function renderCanned(list) {
    var lang = base(S.detail && S.detail.locale);
    var mine = list.some(function (c) { return c.locale && base(c.locale) === lang; });
    var k = JSON.stringify(list) + "|" + (mine ? lang : "");
    if (k === cannedKey) return;
    cannedKey = k;
    var sel = $("canned");
    while (sel.options.length > 1) sel.remove(1);
    list.forEach(function (c, i) {
      if (mine ? base(c.locale) !== lang : !!c.locale) return;
      var o = el("option", null, c.title);
      o.value = String(i);
      sel.appendChild(o);
    });
  }

  function queueItem(c, selected) {
    var li = el("li", "item");
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", selected ? "true" : "false");
    li.dataset.id = c.id;
    li.tabIndex = selected ? 0 : -1;
    var l1 = el("div", "l1");
    l1.appendChild(el("span", "pill p-" + c.priority, c.priority));
    l1.appendChild(el("span", "who", c.customer));
    var w = el("span", "wait");
    if (c.status === "queued") {
      w.dataset.since = c.created;
      w.textContent = ago(c.created);
    } else if (c.unanswered) {
      // The customer wrote to the agent and has had no answer yet.
      w.dataset.since = c.unanswered;
      w.dataset.prefix = (c.agent ? c.agent + " · " : "") + "unanswered ";
      w.className += " late";
      w.textContent = w.dataset.prefix + ago(c.unanswered);
    } else {
      w.dataset.since = "";
      w.textContent = c.agent ? "with " + c.agent : c.status;
    }
    l1.appendChild(w);
    li.appendChild(l1);
    var l2 = el("div", "l2");
    if (c.language) l2.appendChild(el("span", "lang", c.language));
    if (c.language) l2.appendChild(document.createTextNode(" "));
    if (c.conversations) l2.appendChild(el("span", "devices", "on " + c.conversations + " devices · "));
    if (c.mood) l2.appendChild(el("span", "m-" + c.mood, c.mood + " · "));
    l2.appendChild(document.createTextNode(c.reason + (c.last ? " · " + c.last : "")));
    li.appendChild(l2);
    if (!S.firstState && !S.seen[c.id]) li.className += " new";
    S.seen[c.id] = true;
    li.addEventListener("click", function () { openCase(c.id); });
    return li;
  }

  // focusedItem returns the list item that has the keyboard, if any: the
  // lists are drawn afresh on every change, and refocus gives the new
  // item the keyboard (an agent tabbed onto the queue lost it whenever
  // a customer wrote).
  function focusedItem() {
    var a = document.activeElement;
    return a && a.classList && a.classList.contains("item") ? a : null;
  }
  function refocus(was, sel) {
    if (!was || !was.dataset[sel]) return;
    var all = document.querySelectorAll(".queue .item");
    for (var i = 0; i < all.length; i++) {
      if (all[i].dataset[sel] === was.dataset[sel]) { all[i].tabIndex = 0; all[i].focus(); return; }
    }
  }

  function renderQueue() {
    var st = S.state, ul = $("queue"), was = focusedItem();
    clear(ul);
    st.queue.forEach(function (c) { ul.appendChild(queueItem(c, c.id === S.open)); });
    $("queue-count").textContent = String(st.queue.length);
    $("queue-empty").hidden = st.queue.length > 0;
    var rec = $("recent");
    clear(rec);
    st.recent.forEach(function (c) {
      var li = queueItem(c, c.id === S.open);
      li.querySelector(".wait").textContent = c.status;
      rec.appendChild(li);
    });
    tabStop(ul);
    tabStop(rec);
    refocus(was, "id");
    document.title = (st.queue.length ? "(" + st.queue.length + ") " : "") + "Parley workspace";
  }

  // tabStop keeps one item of a list reachable with Tab when none is
  // selected (the lists use one tab stop each, and arrow keys or j/k
  // within): without it a keyboard-only agent could not reach the queue.
  function tabStop(ul) {
    var items = ul.querySelectorAll(".item");
    if (items.length && !ul.querySelector('.item[tabindex="0"]')) items[0].tabIndex = 0;
  }

  function caseOf(conversation) {
    var all = S.state.queue.concat(S.state.recent);
    for (var i = 0; i < all.length; i++) if (all[i].conversation === conversation) return all[i];
    return null;
  }

  function renderApprovals() {
    var ul = $("approvals"), n = 0, was = focusedItem();
    clear(ul);
    S.state.approvals.forEach(function (a) {
      if (a.status !== "pending") return;
      n++;
      var li = el("li", "item");
      li.setAttribute("role", "option");
      li.dataset.approval = a.id;
      li.setAttribute("aria-selected", a.id === S.openApproval ? "true" : "false");
      var l1 = el("div", "l1");
      l1.appendChild(el("span", "pill p-high", "approve?"));
      l1.appendChild(el("span", "who", a.what));
      l1.appendChild(el("span", "wait", ago(Date.parse(a.created))));
      li.appendChild(l1);
      var c = caseOf(a.conversation);
      li.appendChild(el("div", "l2", (a.customer_name || "Customer") + (c ? " · with a person" : " · with the assistant")));
      li.tabIndex = 0;
      li.addEventListener("click", function () {
        if (c) openCase(c.id); else openApproval(a.id);
      });
      ul.appendChild(li);
    });
    $("appr-count").textContent = String(n);
    $("appr-empty").hidden = n > 0;
    refocus(was, "approval");
  }

  function approvalCard(a) {
    var d = el("div", "approval " + a.status);
    d.dataset.approval = a.id;
    var w = el("div", "what", a.what);
    if (a.limit) w.appendChild(el("span", "lim", "Over the automatic limit of $" + a.limit.toFixed(2) + " · asked " + ago(Date.parse(a.created)) + " ago"));
    d.appendChild(w);
    if (a.status === "pending") {
      var ok = el("button", "primary", "Approve");
      ok.type = "button";
      var no = el("button", null, "Reject");
      no.type = "button";
      ok.addEventListener("click", function () { decide(a.id, "approve", d); });
      no.addEventListener("click", function () { decide(a.id, "reject", d); });
      d.appendChild(ok);
      d.appendChild(no);
    } else {
      d.appendChild(el("span", "status", (a.status === "approved" ? "Approved" : "Rejected") + (a.decided_by ? " by " + a.decided_by : "") + "; the customer has been told."));
    }
    return d;
  }

  function decide(id, verb, card) {
    card.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    api("POST", "api/approvals/" + encodeURIComponent(id) + "/" + verb, {}).catch(function (e) {
      card.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
      var p = card.querySelector(".error") || card.appendChild(el("span", "error"));
      p.textContent = e.message;
    });
  }

  function renderConvApprovals() {
    var box = $("c-conv-approvals");
    clear(box);
    if (!S.detail || !S.state) return;
    S.state.approvals.forEach(function (a) {
      if (a.conversation === S.detail.conversation) box.appendChild(approvalCard(a));
    });
  }

  // ---- open case ----
  function select(id) {
    document.querySelectorAll(".queue .item").forEach(function (li) {
      var on = li.dataset.id === id || (id && li.dataset.approval === id);
      li.setAttribute("aria-selected", on ? "true" : "false");
      li.tabIndex = on || li.dataset.approval ? 0 : -1;
    });
    tabStop($("queue"));
    tabStop($("recent"));
  }

  function openCase(id) {
    if (S.open && S.open !== id) S.drafts[S.open] = $("text").value;
    S.open = id;
    S.openApproval = "";
    select(id);
    $("placeholder").hidden = true;
    $("appr-view").hidden = true;
    loadDetail(id, true);
  }

  function loadDetail(id, fresh) {
    api("GET", "api/tickets/" + encodeURIComponent(id)).then(function (d) {
      if (S.open !== id) return;
      S.detail = d;
      renderDetail(d, fresh);
    }).catch(function (e) { $("c-error").textContent = e.message; });
  }

  // keepBottom runs render, which may change the transcript or what
  // sits around it (an approval card appearing or being decided), and
  // keeps the transcript's latest message in view if it was in view
  // before, or if stick: the agent always sees what the customer just
  // wrote unless they scrolled back to read.
  function keepBottom(ol, stick, render) {
    var atBottom = stick || ol.scrollHeight - ol.scrollTop - ol.clientHeight < 40;
    render();
    if (atBottom) ol.scrollTop = ol.scrollHeight;
  }

  function renderDetail(d, fresh) {
    var changed = !S.shown || S.shown !== d.id;
    S.shown = d.id;
    keepBottom($("transcript"), fresh || changed, function () { renderDetailParts(d, fresh); });
  }

  function renderDetailParts(d, fresh) {
    $("conv").hidden = false;
    $("side").hidden = false;
    $("c-title").textContent = d.customer;
    var sub = [d.channel || "chat"];
    if (d.language) sub.push(d.language);
    sub.push(d.status === "queued" ? "waiting " + ago(d.created) : !d.open ? "closed (" + d.status + ")" : d.status + (d.agent ? " · " + d.agent : ""));
    if (d.conversations) sub.push("on " + d.conversations + " devices: one conversation here, replies reach each");
    if (d.unanswered) sub.push("unanswered for " + ago(d.unanswered));
    if (d.callback) sub.push(d.callback);
    $("c-sub").textContent = sub.join(" · ");
    $("c-reason").textContent = d.reason_text + (d.note ? " Note: " + d.note : "");
    var mine = d.agent && d.agent.toLowerCase() === S.agent.toLowerCase();
    $("b-assign").disabled = !d.open || mine;
    $("b-assign").firstChild.textContent = d.status === "assigned" && !mine ? "Take over " : "Take ";
    $("b-transfer").disabled = !d.open;
    $("b-resolve").disabled = !d.open;
    // What cannot apply is not shown at all (greyed-out buttons on a
    // closed conversation read as "not allowed", not "over"); disabled
    // too, so that their keyboard shortcuts do nothing.
    $("b-assign").hidden = $("b-assign").disabled;
    $("b-transfer").hidden = !d.open;
    $("b-resolve").hidden = !d.open;
    // The most prominent action is the next one: take the conversation,
    // then, once it is yours, resolve it.
    $("b-assign").classList.toggle("primary", !$("b-assign").disabled);
    $("b-resolve").classList.toggle("primary", $("b-assign").disabled && d.open);
    $("composer").hidden = !d.open;
    $("closed-note").hidden = d.open;
    $("closed-note").textContent = d.open ? "" : "This conversation is closed (" + d.status + (d.status === "resolved" && d.agent ? " by " + d.agent : "") + ")" +
      (d.close_reason ? ": " + d.close_reason : "") + ". The customer is back with the assistant; nothing here can be changed.";
    renderTranscript($("transcript"), d.transcript);
    renderConvApprovals();
    var sg = $("suggest");
    clear(sg);
    var hasAgentMsg = d.transcript.some(function (l) { return l.role === "agent"; });
    if (d.open && d.suggested_reply && !hasAgentMsg) {
      var b = el("button", null, "");
      b.type = "button";
      b.appendChild(el("strong", null, "Suggested (s): "));
      b.appendChild(document.createTextNode(d.suggested_reply));
      b.addEventListener("click", useSuggestion);
      sg.appendChild(b);
    }
    if (S.state) renderCanned(S.state.canned || []);
    if (fresh) {
      $("text").value = S.drafts[d.id] || "";
      setMode("reply");
    }
    // Side panel
    var prof = $("profile");
    clear(prof);
    var rows = d.profile && d.profile.length ? d.profile : [["Customer", d.customer]];
    rows.forEach(function (kv) { prof.appendChild(el("dt", null, kv[0])); prof.appendChild(el("dd", null, kv[1])); });
    $("mood-text").textContent = d.mood_text || "Not measured.";
    chart(d.moods || []);
    var f = $("facts");
    clear(f);
    (d.facts || []).forEach(function (kv) { f.appendChild(el("dt", null, kv[0])); f.appendChild(el("dd", null, kv[1])); });
    if (!d.facts || !d.facts.length) { f.appendChild(el("dt", null, "So far")); f.appendChild(el("dd", null, "nothing gathered")); }
    $("summary").textContent = d.summary || "";
  }

  function renderTranscript(ol, lines) {
    clear(ol);
    var handed = false;
    (lines || []).forEach(function (l) {
      if (!l.text || !l.text.trim()) return; // page events carry no words
      if (!handed && (l.role === "agent" || l.role === "note" || l.role !== "bot" && l.from !== "customer" && l.from !== "bot")) {
        handed = true;
        ol.appendChild(el("li", "divider", "— handed to a person —"));
      }
      var li = el("li", "msg " + l.role);
      var who = l.role === "customer" ? "Customer" : l.role === "bot" ? "Assistant" + (l.for ? " for " + l.for : "") : l.role === "note" ? "Note · " + l.from : l.from;
      li.appendChild(el("span", "meta", who + (l.time ? " · " + clock(l.time) : "")));
      li.appendChild(document.createTextNode(l.text));
      ol.appendChild(li);
    });
  }

  function chart(scores) {
    var svg = $("mood-chart");
    clear(svg);
    if (!scores.length) return;
    var ns = "http://www.w3.org/2000/svg", w = 220, h = 60, pad = 6;
    var pts = scores.map(function (s, i) {
      var x = scores.length === 1 ? w / 2 : pad + i * (w - 2 * pad) / (scores.length - 1);
      var y = pad + (1 - Math.max(0, Math.min(1, s))) * (h - 2 * pad);
      return [x, y];
    });
    var pl = document.createElementNS(ns, "polyline");
    pl.setAttribute("points", pts.map(function (p) { return p[0].toFixed(1) + "," + p[1].toFixed(1); }).join(" "));
    svg.appendChild(pl);
    pts.forEach(function (p) {
      var c = document.createElementNS(ns, "circle");
      c.setAttribute("cx", p[0].toFixed(1)); c.setAttribute("cy", p[1].toFixed(1)); c.setAttribute("r", "3");
      svg.appendChild(c);
    });
    svg.setAttribute("aria-label", "Mood over the conversation, from " + scores[0].toFixed(2) + " to " + scores[scores.length - 1].toFixed(2) + " (0 is upset, 1 is happy)");
  }

  function openApproval(id, refresh) {
    var a = null;
    S.state.approvals.forEach(function (x) { if (x.id === id) a = x; });
    if (!a) return;
    if (S.open) S.drafts[S.open] = $("text").value; // back to it, the draft is there
    S.open = "";
    S.detail = null;
    S.openApproval = id;
    select(id);
    $("placeholder").hidden = true;
    $("conv").hidden = true;
    $("side").hidden = true;
    $("side").classList.remove("open");
    $("appr-view").hidden = false;
    $("a-title").textContent = a.what;
    $("a-sub").textContent = (a.customer_name || "Customer") + " · still with the assistant";
    var card = $("a-card");
    clear(card);
    card.appendChild(approvalCard(a));
    if (!refresh || !$("a-transcript").firstChild) {
      keepBottom($("a-transcript"), !refresh, function () {
        renderTranscript($("a-transcript"), (a.transcript || []).map(function (e) {
          return { role: e.role === "user" ? "customer" : "bot", from: e.role === "user" ? "customer" : "bot", text: (e.role === "user" && e.meta && e.meta.tapped) || e.text, time: Date.parse(e.time) };
        }));
      });
    }
  }

  // ---- composer ----
  function setMode(m) {
    S.mode = m;
    $("m-reply").setAttribute("aria-selected", m === "reply" ? "true" : "false");
    $("m-note").setAttribute("aria-selected", m === "note" ? "true" : "false");
    $("composer").className = "composer" + (m === "note" ? " noting" : "");
    $("text").placeholder = m === "note" ? "Note for the team; the customer won't see it… (Ctrl+Enter saves)" : "Write to the customer… (Ctrl+Enter sends)";
    $("send").textContent = m === "note" ? "Save note" : "Send";
  }
  $("m-reply").addEventListener("click", function () { setMode("reply"); $("text").focus(); });
  $("m-note").addEventListener("click", function () { setMode("note"); $("text").focus(); });
  function fill(text) {
    var t = $("text");
    t.value = text;
    t.focus();
    t.setSelectionRange(t.value.length, t.value.length);
  }
  function useSuggestion() { if (S.detail && S.detail.suggested_reply) { setMode("reply"); fill(S.detail.suggested_reply); } }
  $("canned").addEventListener("change", function () {
    var i = this.value;
    if (i === "" || !S.state) return;
    var c = S.state.canned[Number(i)];
    this.value = "";
    var text = c.text.replace(/\{name\}/g, firstName(S.detail)).replace(/\{agent\}/g, S.agent);
    var t = $("text");
    fill(t.value ? t.value.replace(/\s*$/, " ") + text : text);
  });
  $("composer").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var t = $("text"), text = t.value.trim();
    if (!text || !S.open) return;
    $("send").disabled = true;
    $("c-error").textContent = "";
    api("POST", "api/tickets/" + encodeURIComponent(S.open) + "/" + S.mode, { text: text }).then(function (d) {
      t.value = "";
      delete S.drafts[S.open];
      S.detail = d;
      renderDetail(d, false);
      t.focus();
    }).catch(function (e) { $("c-error").textContent = e.message; }).then(function () { $("send").disabled = false; });
  });
  $("text").addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); $("composer").requestSubmit(); }
    if (ev.key === "Escape") { ev.preventDefault(); this.blur(); }
  });

  function act(verb, body) {
    if (!S.open) return;
    $("c-error").textContent = "";
    api("POST", "api/tickets/" + encodeURIComponent(S.open) + "/" + verb, body || {}).then(function (d) {
      S.detail = d;
      renderDetail(d, false);
    }).catch(function (e) { $("c-error").textContent = e.message; });
  }
  $("b-assign").addEventListener("click", function () { act("assign"); });
  $("b-transfer").addEventListener("click", function () {
    if (!S.detail || !S.detail.open) return;
    $("to-in").value = "";
    var list = $("to-list"), others = colleagues();
    clear(list);
    others.forEach(function (a) {
      var b = el("button", null, a);
      b.type = "button";
      b.addEventListener("click", function () { $("to-in").value = a; $("d-transfer").close("ok"); });
      list.appendChild(b);
    });
    $("to-who").textContent = others.length ? "Pick a colleague who is online, or type a name:" : "Nobody else is online right now. Type a colleague's name; they'll find it in their queue.";
    $("d-transfer").showModal();
  });
  // colleagues are the other agents online, then those who had a case
  // lately.
  function colleagues() {
    var out = [], me = S.agent.toLowerCase();
    var add = function (a) { if (a && a.toLowerCase() !== me && out.indexOf(a) < 0) out.push(a); };
    ((S.state && S.state.online) || []).forEach(add);
    return out;
  }
  function toggleCard(open) {
    $("side").classList.toggle("open", open);
    $("b-card").setAttribute("aria-expanded", open ? "true" : "false");
    if (open) $("b-card-close").focus(); else $("b-card").focus();
  }
  $("b-card").addEventListener("click", function () { toggleCard(!$("side").classList.contains("open")); });
  $("b-card-close").addEventListener("click", function () { toggleCard(false); });
  // Resolving a conversation in which no person has written a word
  // leaves the customer with "Tom has joined" followed by the
  // assistant's "How did we do?": the dialog says so before it happens.
  $("b-resolve").addEventListener("click", function () {
    if (!S.detail || !S.detail.open) return;
    var d = S.detail, silent = !(d.transcript || []).some(function (l) { return l.role === "agent" && l.text && l.text.trim(); });
    var first = String(d.customer || "").split(" ")[0] || "The customer";
    $("resolve-warn").hidden = !silent;
    $("resolve-warn").textContent = silent ? "Nobody has written to " + first + " yet: they will go back to the assistant without hearing from a person. Reply first, unless they have left." : "";
    $("resolve-ok").textContent = silent ? "Resolve without replying" : "Resolve";
    $("reason-in").value = "";
    $("d-resolve").showModal();
  });
  $("d-transfer").addEventListener("close", function () {
    if (this.returnValue === "ok" && $("to-in").value.trim()) act("transfer", { to: $("to-in").value });
  });
  $("d-resolve").addEventListener("close", function () {
    if (this.returnValue !== "ok") return;
    var sel = $("reason-sel").value, more = $("reason-in").value.trim();
    var reason = sel === "other" ? more : sel + (more ? ": " + more : "");
    if (reason) act("resolve", { reason: reason });
  });

  // ---- keyboard ----
  function move(step) {
    var items = Array.prototype.slice.call(document.querySelectorAll("#queue .item, #approvals .item"));
    if (!items.length) return;
    var cur = items.findIndex(function (li) { return li.getAttribute("aria-selected") === "true"; });
    var next = items[Math.max(0, Math.min(items.length - 1, cur < 0 ? 0 : cur + step))];
    next.click();
    next.focus();
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var tag = (ev.target.tagName || "").toLowerCase();
    if (tag === "textarea" || tag === "input" || tag === "select" || document.querySelector("dialog[open]")) return;
    var k = ev.key;
    var handled = true;
    switch (k) {
      case "j": case "ArrowDown": move(1); break;
      case "k": case "ArrowUp": move(-1); break;
      case "r": if (S.detail && S.detail.open) { setMode("reply"); $("text").focus(); } break;
      case "n": if (S.detail && S.detail.open) { setMode("note"); $("text").focus(); } break;
      case "s": useSuggestion(); break;
      case "c": if (S.detail && S.detail.open) $("canned").focus(); break;
      case "a": if (!$("b-assign").disabled && S.detail) act("assign"); break;
      case "t": $("b-transfer").click(); break;
      case "e": $("b-resolve").click(); break;
      case "?": $("d-help").showModal(); break;
      case "Escape": if ($("side").classList.contains("open")) toggleCard(false); else handled = false; break;
      case "Enter": case " ":
        if (ev.target.classList && ev.target.classList.contains("item")) ev.target.click(); else handled = false;
        break;
      default: handled = false;
    }
    if (handled) ev.preventDefault();
  });
  $("help-btn").addEventListener("click", function () { $("d-help").showModal(); });

  // Waiting times tick without new events.
  setInterval(function () {
    document.querySelectorAll(".wait[data-since]").forEach(function (w) {
      if (w.dataset.since) w.textContent = (w.dataset.prefix || "") + ago(Number(w.dataset.since));
    });
  }, 15000);

  // ---- start ----
  fetch("api/state").then(function (r) { return r.json(); }).then(function (st) {
    if (st.agent) { S.agent = st.agent; $("me").textContent = st.agent; connect(); return; }
    var saved = "";
    try { saved = localStorage.getItem("parley.agent") || ""; } catch (e) { /* storage off */ }
    if (saved) { S.agent = saved; $("me").textContent = saved; connect(); } else askName();
  }).catch(function () { $("live").textContent = "cannot reach the server"; });
})();
