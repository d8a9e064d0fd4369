// The live dashboard: one uPlot chart per panel, fed by server-sent snapshots from /dashboard/events.
// Each panel maps a snapshot to {seriesName: value}; series appear as models, stages and devices do.
(function () {
  'use strict';
  const MAX_POINTS = 300;
  const PALETTE = ['#58a6ff', '#3fb950', '#d29922', '#f85149', '#bc8cff', '#39c5cf', '#ff7b72', '#a5d6ff', '#7ee787', '#e3b341'];

  const perModel = (field) => (s) => mapEntries(s.models, (name, m) => [[name, m[field]]]);
  const perStage = (field) => (s) => mapEntries(s.models, (name, m) =>
    Object.entries(m[field] || {}).map(([stage, v]) => [name + ' stage ' + stage, v]));
  const perDevice = (field) => (s) => mapEntries(s.devices, (name, d) => (d[field] === null ? [] : [[name, d[field]]]));

  const PANELS = [
    { id: 'p99', title: 'Latency p99 (ms)', pick: perModel('p99_ms') },
    { id: 'p50', title: 'Latency p50 (ms)', pick: perModel('p50_ms') },
    { id: 'slo', title: 'SLO attainment (fraction of requests within deadline)', pick: perModel('slo'), range: [0, 1.02] },
    { id: 'rps', title: 'Throughput (requests/s)', pick: perModel('rps') },
    { id: 'pending', title: 'Pending requests', pick: perModel('pending') },
    { id: 'batch', title: 'Batch occupancy (samples per executed batch, by stage)', pick: perStage('batch') },
    { id: 'exits', title: 'Exits per second (by stage)', pick: perStage('exits_per_s') },
    { id: 'util', title: 'Device utilisation', pick: perDevice('utilization'), range: [0, 1.02] },
    { id: 'queued', title: 'Queued samples per device', pick: perDevice('queued') },
    { id: 'stacking', title: 'NPU stacking factor k', pick: perDevice('stacking') },
  ];

  function mapEntries(obj, fn) {
    const out = [];
    Object.keys(obj || {}).sort().forEach((k) => fn(k, obj[k]).forEach((e) => out.push(e)));
    return out;
  }

  // One colour per series name across all panels (a model keeps its colour everywhere).
  const colours = new Map();
  const colour = (name) => {
    if (!colours.has(name)) {
      colours.set(name, PALETTE[colours.size % PALETTE.length]);
    }
    return colours.get(name);
  };

  const times = [];
  const state = { updates: 0, errors: 0, charts: {} };
  window.__dashboard = state;

  const panels = PANELS.map((p) => {
    const el = document.createElement('div');
    el.className = 'panel';
    el.id = 'panel-' + p.id;
    el.innerHTML = '<h2></h2><div class="plot"><div class="empty">waiting for data…</div></div>';
    el.querySelector('h2').textContent = p.title;
    document.getElementById('charts').appendChild(el);
    return { spec: p, el: el, series: new Map(), plot: null, keys: '' };
  });

  function build(panel) {
    const names = Array.from(panel.series.keys());
    const host = panel.el.querySelector('.plot');
    if (panel.plot) {
      panel.plot.destroy();
    }
    host.innerHTML = '';
    const opts = {
      width: Math.max(320, host.clientWidth || panel.el.clientWidth - 20),
      height: 200,
      scales: { x: { time: true }, y: panel.spec.range ? { range: panel.spec.range } : { auto: true } },
      axes: [{ stroke: '#8a96a3', grid: { stroke: '#26303b' } }, { stroke: '#8a96a3', grid: { stroke: '#26303b' }, size: 56 }],
      series: [{}].concat(names.map((n) => ({ label: n, stroke: colour(n), width: 2, spanGaps: true }))),
    };
    panel.plot = new uPlot(opts, data(panel), host);
    panel.keys = names.join('\u0000');
  }

  function data(panel) {
    return [times.slice()].concat(Array.from(panel.series.values()).map((a) => a.slice()));
  }

  function apply(snapshot) {
    times.push(snapshot.t / 1000);
    const overflow = times.length > MAX_POINTS;
    if (overflow) {
      times.shift();
    }
    panels.forEach((panel) => {
      const values = new Map(panel.spec.pick(snapshot));
      values.forEach((v, name) => {
        if (!panel.series.has(name)) {
          panel.series.set(name, new Array(times.length - 1).fill(null));
        }
      });
      panel.series.forEach((arr, name) => {
        const v = values.get(name);
        arr.push(v === undefined ? null : v);
        if (overflow) {
          arr.shift();
        }
      });
      const keys = Array.from(panel.series.keys()).join('\u0000');
      if (panel.series.size > 0) {
        if (!panel.plot || keys !== panel.keys) {
          build(panel);
        } else {
          panel.plot.setData(data(panel));
        }
      }
      let points = 0;
      panel.series.forEach((arr) => arr.forEach((v) => { if (v !== null) { points++; } }));
      state.charts[panel.spec.id] = { series: panel.series.size, points: points, rendered: !!panel.plot };
    });
    tiles(snapshot);
    state.updates++;
    document.getElementById('status-text').textContent = 'live, ' + new Date(snapshot.t).toLocaleTimeString();
  }

  function tiles(s) {
    const models = Object.values(s.models || {});
    const sum = (xs) => xs.reduce((a, b) => a + (b || 0), 0);
    const p99s = models.map((m) => m.p99_ms).filter((x) => x !== null && x !== undefined);
    const worstP99 = p99s.length ? Math.max.apply(null, p99s).toFixed(1) + ' ms' : '–';
    const items = [
      ['models', Object.keys(s.models || {}).length],
      ['requests/s', sum(models.map((m) => m.rps)).toFixed(1)],
      ['worst p99', worstP99],
      ['pending', sum(models.map((m) => m.pending))],
      ['devices', Object.keys(s.devices || {}).length],
    ];
    document.getElementById('tiles').innerHTML = items.map(([label, value]) =>
      '<div class="tile"><div class="label">' + label + '</div><div class="value">' + value + '</div></div>').join('');
  }

  function connect() {
    const dot = document.getElementById('dot');
    const source = new EventSource('/dashboard/events');
    source.addEventListener('snapshot', (e) => {
      dot.className = 'dot live';
      apply(JSON.parse(e.data));
    });
    source.onerror = () => {
      dot.className = 'dot down';
      document.getElementById('status-text').textContent = 'reconnecting…';
    };
  }

  connect();
})();
