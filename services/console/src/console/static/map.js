/* A Leaflet map over the locally served district boundary (no internet tiles): a click pins
   the problem's place into the form's lat/lon fields. */
(function () {
  "use strict";
  var box = document.getElementById("map");
  if (!box || !window.L) return;
  var map = L.map(box, { attributionControl: false, zoomSnap: 0.25 });
  var lat = document.getElementById("lat"), lon = document.getElementById("lon");
  var text = document.getElementById("pin-text");
  var marker = null;
  function pin(latlng, announce) {
    if (marker) marker.setLatLng(latlng); else marker = L.circleMarker(latlng, { radius: 8, color: "#b3261e", weight: 3 }).addTo(map);
    lat.value = latlng.lat.toFixed(6);
    lon.value = latlng.lng.toFixed(6);
    if (announce && text) text.textContent = "已标注位置：北纬 " + lat.value + "，东经 " + lon.value;
    lat.dispatchEvent(new Event("change", { bubbles: true }));
  }
  fetch("/static/geo/district.geojson").then(function (r) { return r.json(); }).then(function (geo) {
    var layer = L.geoJSON(geo, { style: { color: "#1f5f3f", weight: 2, fillColor: "#dfeee4", fillOpacity: 0.6 } }).addTo(map);
    map.fitBounds(layer.getBounds(), { padding: [8, 8] });
    if (lat.value && lon.value) pin(L.latLng(parseFloat(lat.value), parseFloat(lon.value)), true);
  });
  map.on("click", function (e) { pin(e.latlng, true); });
  document.addEventListener("draft-restored", function () {
    if (lat.value && lon.value) pin(L.latLng(parseFloat(lat.value), parseFloat(lon.value)), true);
  });
})();
