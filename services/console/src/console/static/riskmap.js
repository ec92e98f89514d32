/* The risk 一张图: Leaflet over the locally served district boundary (no internet tiles);
   sources coloured by grade with their HJ 941 labels, licence holders ringed, park clusters
   at the centre of their sources, open incidents; layers on and off; a click opens the record;
   the list beside the map shows what is inside the map's extent. */
(function () {
  "use strict";
  var box = document.getElementById("riskmap");
  if (!box || !window.L) return;
  var map = L.map(box, { attributionControl: false, zoomSnap: 0.25, preferCanvas: true });
  var layers = { source: L.layerGroup(), holder: L.layerGroup(), cluster: L.layerGroup(), incident: L.layerGroup() };
  var items = [];
  var list = document.getElementById("map-list"), count = document.getElementById("in-view");
  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; }); }
  function colour(p) { return p.colour || ({ "一般": "#1f6fd1", "较大": "#e6a700", "重大": "#c62828" }[p.level] || "#666"); }
  function open(href) { return function () { window.location.href = href; }; }
  function refresh() {
    var b = map.getBounds(), shown = [];
    items.forEach(function (it) {
      if (map.hasLayer(layers[it.layer]) && b.contains(it.latlng)) shown.push(it);
    });
    count.textContent = shown.length;
    list.innerHTML = shown.slice(0, 200).map(function (it) {
      return '<li data-kind="' + it.layer + '"><a href="' + it.href + '">' + esc(it.text) + "</a></li>";
    }).join("") || '<li class="muted">当前范围内没有对象</li>';
  }
  function draw(data) {
    var holders = {}; data.holders.forEach(function (c) { holders[c] = true; });
    var clusters = {};
    data.features.forEach(function (f) {
      var p = f.properties, ll = L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]);
      if (p.kind === "source") {
        var href = "/risk/sources/" + encodeURIComponent(f.id);
        var label = p.label ? "（" + p.label + "）" : "（未分级）";
        L.circleMarker(ll, { radius: 6, color: colour(p), fillColor: colour(p), fillOpacity: 0.8, weight: 1 })
          .bindTooltip(esc(p.name) + label).on("click", open(href)).addTo(layers.source);
        items.push({ layer: "source", latlng: ll, href: href, text: "风险源 " + p.name + label });
        if (p.credit_code && holders[p.credit_code]) {
          L.circleMarker(ll, { radius: 10, color: "#5b2c83", weight: 2, fill: false })
            .bindTooltip(esc(p.name) + "（持证单位）").on("click", open(href)).addTo(layers.holder);
          items.push({ layer: "holder", latlng: ll, href: href, text: "持证单位 " + p.name });
        }
        if (p.park_cluster) (clusters[p.park_cluster] = clusters[p.park_cluster] || []).push(ll);
      } else if (p.kind === "incident") {
        var ih = "/risk/incidents/" + encodeURIComponent(f.id);
        L.marker(ll, { icon: L.divIcon({ className: "incident-icon", html: "!", iconSize: [18, 18] }), title: p.title, alt: p.title })
          .on("click", open(ih)).addTo(layers.incident);
        items.push({ layer: "incident", latlng: ll, href: ih, text: "突发事件 " + p.title + (p.grade_label ? "（" + p.grade_label + "）" : "") });
      }
    });
    Object.keys(clusters).forEach(function (name) {
      var pts = clusters[name], lat = 0, lng = 0;
      pts.forEach(function (q) { lat += q.lat; lng += q.lng; });
      var c = L.latLng(lat / pts.length, lng / pts.length);
      L.circle(c, { radius: 1500, color: "#1f5f3f", dashArray: "4 4", fillOpacity: 0.05 })
        .bindTooltip(esc(name) + "（" + pts.length + " 家）").addTo(layers.cluster);
      items.push({ layer: "cluster", latlng: c, href: "/risk/map#" + encodeURIComponent(name), text: "园区集群 " + name + "（" + pts.length + " 家）" });
    });
    refresh();
  }
  fetch("/static/geo/district.geojson").then(function (r) { return r.json(); }).then(function (geo) {
    var base = L.geoJSON(geo, { style: { color: "#1f5f3f", weight: 2, fillColor: "#eef5ef", fillOpacity: 0.6 } }).addTo(map);
    map.fitBounds(base.getBounds(), { padding: [8, 8] });
    Object.keys(layers).forEach(function (k) { layers[k].addTo(map); });
    return fetch("/risk/map/data", { headers: { Accept: "application/json" } });
  }).then(function (r) { return r.json(); }).then(function (data) {
    draw(data);
    box.setAttribute("data-loaded", String(items.length));
  });
  map.on("moveend", refresh);
  document.querySelectorAll("[data-layer]").forEach(function (cb) {
    cb.addEventListener("change", function () {
      var l = layers[cb.getAttribute("data-layer")];
      if (cb.checked) l.addTo(map); else map.removeLayer(l);
      refresh();
    });
  });
})();
