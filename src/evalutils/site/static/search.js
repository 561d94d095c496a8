/* Search over window.EVALUTILS_SEARCH (assets/search-index.js, a plain script: works from file:// too).
   Accents and case are ignored ("Bac Lieu" finds "Bạc Liêu"); every query word must begin a word of the page. */
(function () {
  "use strict";
  function fold(s) {
    return (s || "").toLowerCase().replace(/đ/g, "d").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var input = document.getElementById("q");
  var lang = list.getAttribute("data-lang");
  var root = list.getAttribute("data-root");
  var params = new URLSearchParams(window.location.search);
  var query = params.get("q") || "";
  input.value = query;
  var tokens = fold(query).match(/[a-z0-9]+/g) || [];
  if (!tokens.length) { return; }
  var hits = [];
  (window.EVALUTILS_SEARCH || []).forEach(function (page) {
    var words = " " + page.w;
    var title = " " + fold(page.t).replace(/[^a-z0-9]+/g, " ");
    var score = 0;
    for (var i = 0; i < tokens.length; i++) {
      if (words.indexOf(" " + tokens[i]) < 0) { return; }
      if (title.indexOf(" " + tokens[i]) >= 0) { score += 10; }
    }
    if (page.l === lang) { score += 5; }
    if (page.k === "report") { score += 1; }
    hits.push({page: page, score: score});
  });
  hits.sort(function (a, b) { return b.score - a.score; });
  list.textContent = "";
  hits.forEach(function (h) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = root + h.page.u;
    a.textContent = h.page.t;
    a.setAttribute("hreflang", h.page.l);
    if (h.page.l !== lang) { a.setAttribute("lang", h.page.l); }
    li.appendChild(a);
    var where = document.createElement("span");
    where.className = "where";
    where.textContent = " (" + (h.page.l === "vi" ? "Tiếng Việt" : "English") + ")";
    li.appendChild(where);
    list.appendChild(li);
  });
  status.textContent = hits.length ? list.getAttribute("data-count").replace("{n}", hits.length)
                                   : list.getAttribute("data-none");
}());
