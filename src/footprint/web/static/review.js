// footprint review workspace: progressive enhancement only (every action also works as a plain form).
// No inline script anywhere (Content-Security-Policy: script-src 'self').
(function () {
  "use strict";
  const body = document.body;
  const csrf = body.dataset.csrf || "";

  function setBlur(px) { document.documentElement.style.setProperty("--blur", px + "px"); }
  if (body.dataset.blur) { setBlur(body.dataset.blur); }

  function post(url, fields) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, "Accept": "application/json",
                 "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields || {}).toString(),
    }).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) { throw new Error((data.error && data.error.message) || r.statusText); }
        return data;
      });
    });
  }

  // A picture the server cannot make (an undecodable file) says so instead of a broken image.
  function noPicture(img) {
    const note = document.createElement("span");
    note.className = "nopic";
    note.textContent = "no picture (cannot be decoded)";
    img.replaceWith(note);
  }
  document.querySelectorAll(".pic img, .viewer img").forEach(function (img) {
    if (img.complete && img.naturalWidth === 0 && img.getAttribute("loading") !== "lazy") { noPicture(img); return; }
    img.addEventListener("error", function () { noPicture(img); });
  });

  function say(text) { const s = document.getElementById("status"); if (s) { s.textContent = text; } }

  // The server sends each picture blurred and greyscale unless its item is revealed to this session,
  // so a picture is fetched again (a fresh URL: never an old copy) whenever that may have changed.
  function refetch(root) {
    root.querySelectorAll(".pic img, .viewer img").forEach(function (img) {
      img.src = img.src.split("?")[0] + "?t=" + Date.now();
    });
  }

  // Blur strength: applied at once, remembered for the user on the server (and audited there); the
  // pictures are then fetched again, blurred by the server to the new strength.
  const slider = document.getElementById("blur-strength");
  if (slider) {
    slider.addEventListener("input", function () { setBlur(slider.value); });
    slider.addEventListener("change", function () {
      post("/settings/blur", { strength: slider.value }).then(function () {
        document.querySelectorAll(".tile:not(.revealed)").forEach(refetch);
      }).catch(function (e) { say("Blur not saved: " + e.message); });
    });
  }

  // Break reminder, counted from the start of this browser session.
  const minutes = parseFloat(body.dataset.breakMinutes || "0");
  if (minutes > 0 && body.dataset.csrf) {
    let start = parseInt(sessionStorage.getItem("footprint-start") || "0", 10);
    if (!start) { start = Date.now(); sessionStorage.setItem("footprint-start", String(start)); }
    const banner = document.getElementById("break-reminder");
    const due = start + minutes * 60000 - Date.now();
    setTimeout(function () { if (banner) { banner.hidden = false; } }, Math.max(0, due));
    const later = document.getElementById("break-dismiss");
    if (later) {
      later.addEventListener("click", function () {
        banner.hidden = true;
        sessionStorage.setItem("footprint-start", String(Date.now()));
        setTimeout(function () { banner.hidden = false; }, minutes * 60000);
      });
    }
  }

  // Reveal: one item at a time, and only once the server has recorded it (the server then sends that
  // item's plain picture, for a few minutes, and blurs the one revealed before). The server alone says
  // whether a reveal is still live: another tab's reveal, a logout, a membership ended elsewhere all end
  // it there. So while a picture is shown plain the page asks the server every few seconds (and when the
  // tab is shown again or focused), tabs of this browser tell each other of a reveal or a logout, and
  // the picture is blurred again (its blurred URL fetched) as soon as the answer no longer names it.
  const CHECK_MS = 2000;
  const gridEl = document.getElementById("grid");
  const pathCase = /^\/cases\/(\d+)\//.exec(location.pathname);
  const caseId = gridEl ? gridEl.dataset.case : (pathCase ? pathCase[1] : "");
  const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel("footprint-reveal") : null;
  let hide = null, watch = null, generation = 0;
  function stopWatching() {
    if (hide) { clearTimeout(hide); hide = null; }
    if (watch) { clearInterval(watch); watch = null; }
  }
  function conceal(tile) {
    tile.classList.remove("revealed");
    delete tile.dataset.revealLeft;
    tile.querySelectorAll(".pic img, .viewer img").forEach(function (img) {
      img.src = img.src.split("?")[0] + "?blurred=1&t=" + Date.now();  // blurred by the server, whatever it holds
    });
  }
  function concealAll(note) {
    const shown = document.querySelectorAll(".revealed");
    generation++;
    stopWatching();
    shown.forEach(conceal);
    if (shown.length && note) { say(note); }
  }
  function check() {
    if (!document.querySelector(".revealed") || !caseId) { stopWatching(); return; }
    const asked = generation;
    fetch("/cases/" + caseId + "/revealed", { credentials: "same-origin", cache: "no-store",
                                             headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { item: null }; })
      .then(function (data) {
        if (asked !== generation) { return; }  // a reveal made meanwhile: its own checks follow
        const live = document.querySelector(".revealed");
        if (live && String(data.item) !== live.dataset.item) { concealAll("Reveal ended."); }
      })
      .catch(function () { if (asked === generation) { concealAll("Reveal ended."); } });  // no answer: the safe side
  }
  function watchReveal(seconds) {
    stopWatching();
    hide = setTimeout(function () { concealAll("Reveal ended."); }, Math.max(0, seconds) * 1000);
    watch = setInterval(check, CHECK_MS);
  }
  function reveal(tile) {
    return post("/cases/" + caseId + "/items/" + tile.dataset.item + "/reveal").then(function (data) {
      concealAll("");
      tile.classList.add("revealed");
      refetch(tile);
      watchReveal(data.seconds || 0);
      if (channel) { channel.postMessage({ reveal: tile.dataset.item }); }
      say("Item " + tile.dataset.item + " revealed (recorded in the audit trail).");
    }).catch(function (e) { say("Not revealed: " + e.message); });
  }
  if (channel) {
    channel.addEventListener("message", function (ev) {
      if (ev.data && ev.data.logout) { concealAll("Logged out."); } else { check(); }
    });
  }
  document.querySelectorAll("form.logout-form").forEach(function (form) {
    form.addEventListener("submit", function () {
      concealAll("");
      if (channel) { channel.postMessage({ logout: true }); }
    });
  });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { check(); } });
  window.addEventListener("focus", check);
  // A page drawn while a reveal is live ends it when the server's grant ends, as a reveal made here does.
  document.querySelectorAll(".revealed[data-reveal-left]").forEach(function (tile) {
    watchReveal(parseFloat(tile.dataset.revealLeft || "0"));
    check();
  });
  document.querySelectorAll("form.reveal-form").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      const tile = document.querySelector(".viewer");
      if (tile) { reveal(tile); }
    });
  });

  // Keyboard categorisation in the grid.
  const grid = document.getElementById("grid");
  if (!grid) { return; }
  const keys = JSON.parse(grid.dataset.keys || "{}");
  const tiles = function () { return Array.prototype.slice.call(grid.querySelectorAll(".tile")); };
  function focused() { return document.activeElement && document.activeElement.classList.contains("tile") ? document.activeElement : null; }
  function move(step) {
    const all = tiles(); if (!all.length) { return; }
    const at = all.indexOf(focused());
    const next = all[Math.min(all.length - 1, Math.max(0, at < 0 ? 0 : at + step))];
    next.focus();
  }
  function columns() {
    const all = tiles(); if (all.length < 2) { return 1; }
    const top = all[0].offsetTop; let n = 0;
    while (n < all.length && all[n].offsetTop === top) { n++; }
    return n || 1;
  }
  function decide(tile, category, scope) {
    const form = { category: category, scope: scope };
    if (scope === "cluster" && !tile.dataset.clusterSize) { form.scope = "item"; }  // in no cluster: itself
    else if (scope === "cluster") { form.seen = tile.dataset.clusterSize; }  // refused if it changed since drawn
    post("/cases/" + grid.dataset.case + "/items/" + tile.dataset.item + "/decision", form).then(function (data) {
      (data.items || []).forEach(function (id) {
        const t = grid.querySelector('.tile[data-item="' + id + '"] [data-decision]');
        if (t) { t.textContent = data.category; }
      });
      say(data.category + " applied to " + data.items.length + " item" + (data.items.length === 1 ? "" : "s") + ".");
    }).catch(function (e) { say("Not saved: " + e.message); });
  }
  grid.addEventListener("keydown", function (ev) {
    const tile = focused();
    if (!tile || ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    const code = ev.code;
    if (keys[code]) { ev.preventDefault(); decide(tile, keys[code], ev.shiftKey ? "cluster" : "item"); return; }
    const nav = { ArrowRight: 1, KeyL: 1, ArrowLeft: -1, KeyH: -1, ArrowDown: columns(), KeyJ: columns(),
                  ArrowUp: -columns(), KeyK: -columns() };
    if (code in nav) { ev.preventDefault(); move(nav[code]); return; }
    if (code === "KeyR") { ev.preventDefault(); reveal(tile); return; }
    if (code === "Enter") { ev.preventDefault(); location.href = tile.querySelector("a.pic").href; }
  });
  const first = tiles()[0];
  if (first) { first.focus(); }
})();
