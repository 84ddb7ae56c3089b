// The suggestions map: markers from the page's JSON; tiles only when a tile URL is set,
// so the markers still show without them (offline, slow connections).
(function () {
  var el = document.getElementById("map");
  var data = document.getElementById("map-data");
  if (!el || !data || !window.L) return;
  var d = JSON.parse(data.textContent);
  var map = L.map(el, { scrollWheelZoom: false });
  if (d.tiles) {
    L.tileLayer(d.tiles, { maxZoom: 18, attribution: d.attribution || "" }).addTo(map);
  }
  var points = [];
  // the viewer's own marker last, so it is drawn on top of nearby suggestions
  d.points.sort(function (a, b) { return (a.home ? 1 : 0) - (b.home ? 1 : 0); });
  d.points.forEach(function (p) {
    var m = p.home
      ? L.circleMarker([p.lat, p.lon], { radius: 9, color: "#8a2d1f", fillOpacity: 0.9 })
      : L.circleMarker([p.lat, p.lon], { radius: 7, color: "#0b6b4f", fillOpacity: 0.7 });
    // a name is text, never markup: a label with "<img onerror=...>" shows as typed
    var label = document.createElement("span");
    label.textContent = p.label;
    m.bindTooltip(label).addTo(map);
    points.push([p.lat, p.lon]);
  });
  if (points.length > 1) map.fitBounds(points, { padding: [20, 20], maxZoom: 14 });
  else if (points.length === 1) map.setView(points[0], 13);
  else map.setView([-2.5, 118], 4);
})();
