/* Search the communes by name (FR, NL or DE, accents optional) or postal code, from the index
   script loaded before this one (window.GUICHETS_SEARCH). No network, no storage. */
(function () {
  "use strict";
  var data = window.GUICHETS_SEARCH || { fields: [], communes: [] };
  var LIMIT = 25;

  // Must agree with warehouse/site/search_index.py normalise().
  function norm(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, " ").trim();
  }

  var entries = data.communes.map(function (row) {
    return { nis: row[0], fr: row[1], nl: row[2], en: row[3], keys: row[4].split(" | "),
             postcodes: row[5] ? row[5].split(" ") : [], counters: row[6], de: row[7] || "" };
  });

  function score(entry, q, digits) {
    if (digits) {
      var best = 9;
      entry.postcodes.forEach(function (p) {
        if (p === q) best = Math.min(best, 0);
        else if (p.indexOf(q) === 0) best = Math.min(best, 2);
      });
      if (entry.nis === q) best = Math.min(best, 1);
      return best;
    }
    var s = 9;
    entry.keys.forEach(function (k) {
      if (k === q) s = Math.min(s, 0);
      else if (k.indexOf(q) === 0) s = Math.min(s, 1);
      else if ((" " + k).indexOf(" " + q) >= 0) s = Math.min(s, 2);
      else if (q.length >= 3 && k.indexOf(q) >= 0) s = Math.min(s, 3);
    });
    return s;
  }

  /* The communes matching `query`, best first: [{nis, fr, nl, en, de, postcodes, counters}, ...]. */
  function search(query) {
    var q = norm(query);
    if (!q) return [];
    var digits = /^[0-9]+$/.test(q);
    var found = [];
    for (var i = 0; i < entries.length; i++) {
      var s = score(entries[i], q, digits);
      if (s < 9) found.push([s, entries[i]]);
    }
    found.sort(function (a, b) {
      return a[0] - b[0] || (a[1].fr < b[1].fr ? -1 : a[1].fr > b[1].fr ? 1 : 0);
    });
    return found.map(function (f) { return f[1]; });
  }
  window.guichetsSearch = search;
  window.guichetsNorm = norm;

  function render(form, input, list, status) {
    var lang = document.documentElement.lang || "fr";
    var base = form.getAttribute("data-base");
    var results = search(input.value);
    list.textContent = "";
    results.slice(0, LIMIT).forEach(function (e) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = base + e.nis + ".html";
      a.textContent = e[lang] || e.fr;
      li.appendChild(a);
      var others = [e.fr, e.nl, e.de].filter(function (n, i, all) {
        return n && n !== a.textContent && all.indexOf(n) === i;
      });
      var detail = document.createElement("span");
      detail.className = "detail";
      var bits = [];
      if (others.length) bits.push(others.join(" / "));
      if (e.postcodes.length) bits.push(e.postcodes.join(", "));
      bits.push(form.getAttribute("data-counters").replace("{n}", e.counters));
      detail.textContent = " — " + bits.join(" · ");
      li.appendChild(detail);
      list.appendChild(li);
    });
    if (!input.value.trim()) status.textContent = "";
    else if (!results.length) status.textContent = form.getAttribute("data-none");
    else status.textContent = form.getAttribute("data-found").replace("{n}", results.length) +
      (results.length > LIMIT ? " " + form.getAttribute("data-more").replace("{n}", LIMIT) : "");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("search");
    if (!form) return;
    var input = document.getElementById("q");
    var list = document.getElementById("results");
    var status = document.getElementById("search-status");
    var go = function () { render(form, input, list, status); };
    input.addEventListener("input", go);
    form.addEventListener("submit", function (ev) { ev.preventDefault(); go(); });
    var params = new URLSearchParams(window.location.search);
    if (params.get("q")) { input.value = params.get("q"); go(); }
  });
})();
