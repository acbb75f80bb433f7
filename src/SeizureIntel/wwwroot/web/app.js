// SeizureIntel web application: the few things Blazor leaves to the browser — remembering a choice on this device,
// focus, charts (ECharts) and maps (Leaflet, drawn from the node's own oblast boundaries: no tile server needed).
window.siweb = (function () {
  const maps = {};
  const charts = {};
  const kyrgyzstan = [[39.1, 69.2], [43.3, 80.3]];

  function baseMap(id, options) {
    const el = document.getElementById(id);
    if (!el) return null;
    if (maps[id]) { maps[id].remove(); delete maps[id]; }
    const map = L.map(el, { zoomSnap: 0.25, attributionControl: true, keyboard: true });
    map.fitBounds(kyrgyzstan);
    if (options && options.tileUrl) L.tileLayer(options.tileUrl, { attribution: options.tileAttribution || '' }).addTo(map);
    maps[id] = map;
    return map;
  }

  function drawOblasts(map, oblasts, attribution) {
    const layer = L.geoJSON(oblasts, {
      style: { color: '#1f4e79', weight: 1.2, fillColor: '#dfe8f1', fillOpacity: 0.55 },
      onEachFeature: (f, l) => l.bindTooltip(f.properties.name, { sticky: true })
    }).addTo(map);
    if (attribution) map.attributionControl.addAttribution(attribution);
    return layer;
  }

  return {
    remember: (key, value) => { try { localStorage.setItem('siweb.' + key, value); } catch (e) { } },
    recall: (key) => { try { const v = localStorage.getItem('siweb.' + key); return v ? v : null; } catch (e) { return null; } },
    focus: (id) => {
      const el = document.getElementById(id) || document.querySelector('[name="' + id + '"]');
      if (el) { el.focus(); if (el.scrollIntoView) el.scrollIntoView({ block: 'center' }); }
    },

    // A click on the map picks a point for the quick form.
    pointPicker: (id, dotnet, lat, lon, oblastsJson) => {
      const map = baseMap(id, null);
      if (!map) return;
      if (oblastsJson) drawOblasts(map, JSON.parse(oblastsJson));
      let marker = lat != null && lon != null ? L.marker([lat, lon]).addTo(map) : null;
      map.on('click', (e) => {
        if (marker) marker.setLatLng(e.latlng); else marker = L.marker(e.latlng).addTo(map);
        dotnet.invokeMethodAsync('Pick', e.latlng.lat, e.latlng.lng);
      });
    },
    disposeMap: (id) => { if (maps[id]) { maps[id].remove(); delete maps[id]; } },

    // The analyst's map: oblasts, seizure points (click through to the seizure), NNH hulls and grid cells.
    drawAnalysisMap: (id, data) => {
      const map = baseMap(id, data);
      if (!map) return;
      drawOblasts(map, JSON.parse(data.oblasts), data.attribution);
      const layers = {};
      if (data.grid) {
        const grid = JSON.parse(data.grid);
        const max = Math.max(1, ...grid.features.map(f => f.properties.count || 0));
        layers[data.labels.grid] = L.geoJSON(grid, {
          style: f => ({ color: '#8a3b12', weight: 0.5, fillColor: '#d9822b', fillOpacity: 0.15 + 0.6 * (f.properties.count || 0) / max }),
          onEachFeature: (f, l) => l.bindTooltip(data.labels.count + ': ' + f.properties.count)
        }).addTo(map);
      }
      if (data.hulls) {
        layers[data.labels.hulls] = L.geoJSON(JSON.parse(data.hulls), {
          style: { color: '#b00020', weight: 2, fillColor: '#b00020', fillOpacity: 0.12 },
          onEachFeature: (f, l) => l.bindTooltip(data.labels.count + ': ' + f.properties.count)
        }).addTo(map);
      }
      if (data.points) {
        const pts = JSON.parse(data.points);
        const group = L.layerGroup();
        const byPlace = {};
        pts.features.forEach(f => {
          const key = f.geometry.coordinates.join(',');
          (byPlace[key] = byPlace[key] || []).push(f);
        });
        Object.values(byPlace).forEach(fs => {
          const c = fs[0].geometry.coordinates;
          const m = L.circleMarker([c[1], c[0]], { radius: Math.min(18, 5 + Math.sqrt(fs.length) * 2), color: '#1f4e79', weight: 2, fillColor: '#2e75b6', fillOpacity: 0.7 });
          const links = fs.slice(0, 15).map(f =>
            '<li><a href="/seizures/' + f.properties.seizureId + '">' + (f.properties.localDate || '') + ' · ' + (f.properties.substance || '') + '</a></li>').join('');
          m.bindPopup('<strong>' + fs.length + ' ' + data.labels.seizures + '</strong>' + (fs[0].properties.facilityId ? ' · ' + fs[0].properties.facilityId : '') +
            '<ul class="map-list">' + links + '</ul>' + (fs.length > 15 ? '…' : ''));
          m.feature = fs[0];
          m.addTo(group);
        });
        group.addTo(map);
        layers[data.labels.points] = group;
        document.getElementById(id).setAttribute('data-points', String(pts.features.length));
      }
      L.control.layers(null, layers, { collapsed: false }).addTo(map);
    },

    // Trends: bars of grams (kg) and a line of counts, per period.
    drawTrends: (id, data) => {
      const el = document.getElementById(id);
      if (!el) return;
      if (charts[id]) charts[id].dispose();
      const chart = echarts.init(el, null, { renderer: 'canvas', locale: data.locale === 'ru' ? 'RU' : 'EN' });
      charts[id] = chart;
      chart.setOption({
        animation: false,
        grid: { left: 70, right: 70, top: 50, bottom: 80, containLabel: true },
        tooltip: { trigger: 'axis' },
        legend: { top: 0 },
        xAxis: { type: 'category', data: data.periods, axisLabel: { rotate: data.periods.length > 12 ? 45 : 0, hideOverlap: true } },
        yAxis: [
          { type: 'value', name: data.labels.kg, nameLocation: 'middle', nameGap: 50 },
          { type: 'value', name: data.labels.count, nameLocation: 'middle', nameGap: 40, minInterval: 1 }
        ],
        series: [
          { name: data.labels.kg, type: 'bar', data: data.kg, itemStyle: { color: '#2e75b6' } },
          { name: data.labels.labKg, type: 'bar', data: data.labKg, itemStyle: { color: '#8fb8de' } },
          { name: data.labels.count, type: 'line', yAxisIndex: 1, data: data.counts, itemStyle: { color: '#8a3b12' } }
        ]
      });
      window.addEventListener('resize', () => chart.resize());
    },
    chartPng: (id) => charts[id] ? charts[id].getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#fff' }) : null,

    // A file made on the page (CSV, GeoJSON, PNG) saved under a name.
    download: (name, mime, text) => {
      const blob = text.startsWith('data:') ? null : new Blob([text], { type: mime });
      const a = document.createElement('a');
      a.href = blob ? URL.createObjectURL(blob) : text;
      a.download = name;
      document.body.appendChild(a);
      a.click();
      setTimeout(() => { if (blob) URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    }
  };
})();
