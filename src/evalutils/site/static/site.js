/* Overview page: sortable and filterable tables, map coloured by the chosen indicator. No library. */
(function () {
  "use strict";
  function fold(s) {
    return (s || "").toLowerCase().replace(/đ/g, "d").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }
  function sortKey(cell, type) {
    var v = cell ? cell.getAttribute("data-sort") : "";
    if (type === "num") { var x = parseFloat(v); return isNaN(x) ? null : x; }
    return v === null || v === "" ? fold(cell ? cell.textContent : "") : v;
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, col) {
      var button = th.querySelector("button");
      if (!button) { return; }
      button.addEventListener("click", function () {
        var type = button.getAttribute("data-type");
        var asc = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { if (h.hasAttribute("aria-sort")) { h.setAttribute("aria-sort", "none"); } });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = sortKey(a.cells[col], type), y = sortKey(b.cells[col], type);
          if (x === null && y === null) { return 0; }
          if (x === null) { return 1; }   // missing values last, either way
          if (y === null) { return -1; }
          var c = type === "num" ? x - y : (x < y ? -1 : x > y ? 1 : 0);
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  document.querySelectorAll("input.filter").forEach(function (input) {
    var table = document.getElementById(input.getAttribute("data-table"));
    input.addEventListener("input", function () {
      var q = fold(input.value.trim());
      Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
        r.hidden = q !== "" && r.getAttribute("data-name").indexOf(q) < 0;
      });
    });
  });
  document.querySelectorAll("select.indicator").forEach(function (select) {
    var figure = select.closest("figure");
    function apply() {
      var ind = select.value;
      figure.querySelectorAll("a.tile").forEach(function (tile) {
        tile.className = "tile bin" + tile.getAttribute("data-bin-" + ind);
        var v = tile.getAttribute("data-value-" + ind);
        tile.querySelector(".tile-value").textContent = v;
        tile.setAttribute("aria-label", tile.getAttribute("data-name") + ": " + v);
      });
      figure.querySelectorAll("ul.legend").forEach(function (ul) {
        ul.hidden = ul.getAttribute("data-indicator") !== ind;
      });
    }
    select.addEventListener("change", apply);
    apply();
  });
}());
