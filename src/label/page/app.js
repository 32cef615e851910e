// The labeling page. Plain browser JavaScript, no build step, served by src/label/server.ts.
// Data is only ever put on the page with textContent (never innerHTML), so a note or an id can
// never become markup; the server's Content-Security-Policy allows no inline script either.
/* global uPlot */
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const FAILURE_TYPES = [
    'thermal_runaway',
    'internal_short',
    'cell_imbalance',
    'capacity_fade',
    'cooling_failure',
    'insulation_fault',
  ];

  // Sensors plotted together share a panel (one unit, one y axis); unknown ones get a panel each.
  const GROUPS = [
    { unit: 'pack voltage, V', names: ['voltage_v'] },
    { unit: 'current, A (+ = discharge)', names: ['current_a'] },
    { unit: 'SOC, %', names: ['soc_pct'] },
    { unit: 'temperature, °C', names: ['temp_cell_max_c', 'temp_cell_min_c', 'temp_ambient_c'] },
    { unit: 'cell voltage, V', names: ['cell_voltage_max_v', 'cell_voltage_min_v'] },
    { unit: 'cell ΔV, mV', names: ['cell_delta_v_mv'] },
    { unit: 'cell temperature spread, °C', names: ['temp_spread_c'] },
    { unit: 'insulation, kΩ', names: ['insulation_resistance_kohm'] },
  ];
  const COLORS = [
    '#1f77b4',
    '#d62728',
    '#2ca02c',
    '#ff7f0e',
    '#9467bd',
    '#8c564b',
    '#e377c2',
    '#17becf',
    '#bcbd22',
    '#7f7f7f',
    '#393b79',
  ];
  const DEFAULT_OFF = new Set(['temp_spread_c']);
  const LS_LABELER = 'bess-label.labeler';
  const LS_SENSORS = 'bess-label.sensors';

  const state = {
    systems: [], // { source, system_id, operational_mode, season, scenario_tags, label }
    queue: null, // [{ source, system_id }] or null
    order: [], // the systems as listed, in list order
    selected: null, // key "source/id"
    expectedVersion: 0,
    currentRow: null,
    series: null,
    plots: [],
    xRange: null,
    loadToken: 0,
    // Bumped by every change a person makes to the form and by every save sent: an answer to a
    // request made before it is older than what the form holds, and must not overwrite it.
    formEdits: 0,
    saves: 0,
    // The form as fillForm left it (formValues), or null before a system is shown: a form that
    // differs holds changes not saved yet.
    filled: null,
    prefetch: null, // { key, promise } of the next system's series
    results: null, // { file, timelines } of `harness label --results`, or null
    timelinePlots: [],
  };

  const keyOf = (s) => `${s.source}/${s.system_id}`;
  const bySystemKey = new Map();

  // ---- small DOM helpers (text only) ----
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }
  function lsGet(k, fallback) {
    try {
      const v = localStorage.getItem(k);
      return v === null ? fallback : v;
    } catch {
      return fallback;
    }
  }
  function lsSet(k, v) {
    try {
      localStorage.setItem(k, v);
    } catch {
      /* private mode: not remembered */
    }
  }

  async function api(method, url, body) {
    const init = { method, headers: {} };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(url, init);
    } catch (err) {
      return {
        status: 0,
        data: {
          error: `the server did not answer (${err && err.message ? err.message : err}); is harness label still running?`,
        },
      };
    }
    let data = null;
    try {
      data = await res.json();
    } catch {
      data = { error: `HTTP ${res.status}` };
    }
    return { status: res.status, data };
  }

  /**
   * A series in the server's binary layout (src/label/api.ts seriesBinary): uint32 header length,
   * JSON header, padding to 8 bytes, Float64 columns. NaN becomes null so uPlot leaves a gap.
   */
  async function fetchSeries(url) {
    let res;
    try {
      res = await fetch(url);
    } catch (err) {
      return {
        status: 0,
        data: { error: `the server did not answer (${err && err.message ? err.message : err})` },
      };
    }
    if (!res.ok) {
      let data;
      try {
        data = await res.json();
      } catch {
        data = { error: `HTTP ${res.status}` };
      }
      return { status: res.status, data };
    }
    const buf = await res.arrayBuffer();
    const headerLength = new DataView(buf).getUint32(0, true);
    const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, headerLength)));
    const start = Math.ceil((4 + headerLength) / 8) * 8;
    const n = header.n;
    const column = (k) => new Float64Array(buf, start + 8 * n * k, n);
    const withGaps = (f) => {
      const out = new Array(f.length);
      for (let i = 0; i < f.length; i++) out[i] = f[i] === f[i] ? f[i] : null;
      return out;
    };
    return {
      status: 200,
      data: {
        source: header.source,
        system_id: header.system_id,
        n,
        t: Array.from(column(0)),
        series: header.series.map((s, k) => ({
          name: s.name,
          derived: s.derived,
          values: withGaps(column(k + 1)),
        })),
      },
    };
  }

  // ---- the list of systems ----
  async function loadSystems() {
    const r = await api('GET', '/api/systems');
    if (r.status !== 200) {
      showWarnings([
        r.data && r.data.error ? r.data.error : `cannot list systems (HTTP ${r.status})`,
      ]);
      return;
    }
    state.systems = r.data.systems;
    state.queue = r.data.queue;
    state.results = r.data.results || null;
    $('timeline-section').hidden = !state.results;
    if (state.results) $('timeline-source').textContent = `from ${state.results.file}`;
    bySystemKey.clear();
    for (const s of state.systems) bySystemKey.set(keyOf(s), s);
    showWarnings(r.data.warnings || []);
    const src = $('filter-source');
    for (const s of r.data.sources) src.appendChild(new Option(s, s));
    if (state.queue) {
      const show = $('filter-show');
      show.insertBefore(new Option(`queue (${state.queue.length})`, 'queue'), show.firstChild);
    }
    renderList();
  }

  function showWarnings(list) {
    const w = $('warnings');
    w.hidden = list.length === 0;
    w.textContent = list.join('\n');
  }

  function labelState(s) {
    return s.label ? s.label.label : 'unlabeled';
  }

  function renderList() {
    const show = $('filter-show').value;
    const source = $('filter-source').value;
    const q = $('search').value.trim().toLowerCase();
    let list;
    if (show === 'queue' && state.queue) {
      list = state.queue.map((e) => bySystemKey.get(keyOf(e))).filter(Boolean);
    } else {
      list = state.systems.filter((s) => {
        if (show === 'unlabeled') return !s.label;
        if (show === 'labeled') return !!s.label;
        if (show === 'anomaly') return !!s.label && s.label.label === 'anomaly';
        return true;
      });
      if ($('unlabeled-first').checked)
        list = [...list.filter((s) => !s.label), ...list.filter((s) => s.label)];
    }
    if (source !== 'all') list = list.filter((s) => s.source === source);
    if (q) list = list.filter((s) => s.system_id.toLowerCase().includes(q));
    state.order = list;
    const ul = $('systems');
    clear(ul);
    const frag = document.createDocumentFragment();
    for (const s of list) frag.appendChild(listItem(s));
    ul.appendChild(frag);
    updateCounts();
  }

  function listItem(s) {
    const li = el('li');
    li.dataset.key = keyOf(s);
    li.setAttribute('role', 'option');
    if (keyOf(s) === state.selected) li.classList.add('selected');
    fillItem(li, s);
    return li;
  }

  function fillItem(li, s) {
    clear(li);
    li.appendChild(el('span', 'id', s.system_id)).title =
      `${s.source} · ${s.operational_mode} · ${s.season}`;
    li.appendChild(el('span', 'badge src', s.source === 'synthetic' ? 'syn' : s.source));
    const st = labelState(s);
    li.appendChild(el('span', `badge ${st}`, st));
    if (s.label && s.label.failure_type !== 'none')
      li.appendChild(el('span', 'badge ft', s.label.failure_type));
    li.dataset.label = st;
  }

  function updateCounts() {
    const unlabeled = state.systems.filter((s) => !s.label).length;
    $('counts').textContent =
      `${state.order.length} shown · ${state.systems.length} systems · ${unlabeled} unlabeled`;
  }

  function move(delta) {
    if (state.order.length === 0) return;
    let i = state.order.findIndex((s) => keyOf(s) === state.selected);
    i =
      i < 0
        ? delta > 0
          ? 0
          : state.order.length - 1
        : Math.min(state.order.length - 1, Math.max(0, i + delta));
    const s = state.order[i];
    // j on the last system (k on the first) stays: reloading it would only refill the form.
    if (s && keyOf(s) !== state.selected) select(s);
  }

  // ---- one system ----
  async function select(s) {
    // A save of the system on show still in flight (s then j at once): wait for its answer, and
    // stay when it was refused, so its errors show beside its form. Moving on at once dropped a
    // refused save unseen, and the person went on believing the label was saved.
    if (saving && saving.key !== keyOf(s) && !(await saving.done)) return;
    // Showing a system fills the form with its label: changes not saved would go without a word.
    if (formDirty() && !confirm(discardQuestion())) return;
    const key = keyOf(s);
    state.selected = key;
    const token = ++state.loadToken;
    for (const li of $('systems').querySelectorAll('li.selected')) li.classList.remove('selected');
    const li = [...$('systems').children].find((x) => x.dataset.key === key);
    if (li) {
      li.classList.add('selected');
      li.scrollIntoView({ block: 'nearest' });
    }
    $('system-title').textContent = s.system_id;
    $('system-meta').textContent =
      `${s.source} · ${s.operational_mode} · ${s.season}${s.scenario_tags.length ? ` · tags: ${s.scenario_tags.join(', ')}` : ''}`;
    clearErrors();
    $('conflict').hidden = true;
    setStatus('', '');
    fillForm(s.label);
    const edits = state.formEdits;
    const saves = state.saves;
    const base = `/api/systems/${encodeURIComponent(s.source)}/${encodeURIComponent(s.system_id)}`;
    $('plot-status').textContent = 'loading series…';
    const pre = state.prefetch && state.prefetch.key === key ? state.prefetch.promise : null;
    state.prefetch = null;
    // The label fills the form as soon as it arrives, not when the series does (a big series
    // took seconds, and a label saved or chosen meanwhile was then wiped by this older answer):
    // and only while the form is as select() left it, since an edit or a save made after the
    // request is newer than its answer.
    const info = api('GET', base).then((r) => {
      if (token !== state.loadToken) return;
      if (r.status !== 200) {
        if (state.formEdits === edits)
          setStatus(r.data && r.data.error ? r.data.error : `HTTP ${r.status}`, 'bad');
        return;
      }
      if (state.formEdits === edits) {
        s.label = r.data.label;
        fillForm(r.data.label);
        refreshItem(s);
      }
      // A save sent since fetches the history again when it is answered.
      if (state.saves === saves) renderHistory(r.data.history, r.data.history_error);
    });
    const [series, timelines] = await Promise.all([
      pre || fetchSeries(`${base}/series?format=f64`),
      state.results ? api('GET', `${base}/timelines`) : Promise.resolve(null),
      info,
    ]);
    if (token !== state.loadToken) return; // another system was picked meanwhile
    if (timelines) drawTimelines(timelines);
    if (series.status === 200) {
      state.series = series.data;
      state.xRange = null;
      renderPicker();
      drawPlots();
      prefetchNext(key);
    } else {
      state.series = null;
      destroyPlots();
      clear($('sensor-picker'));
      $('plot-status').textContent =
        series.data && series.data.error
          ? series.data.error
          : `cannot load the series (HTTP ${series.status})`;
    }
  }

  /** Starts loading the series of the system after `key` in the list, so j shows it at once. */
  function prefetchNext(key) {
    const i = state.order.findIndex((x) => keyOf(x) === key);
    const next = i >= 0 ? state.order[i + 1] : undefined;
    if (!next) return;
    const nk = keyOf(next);
    state.prefetch = {
      key: nk,
      promise: fetchSeries(
        `/api/systems/${encodeURIComponent(next.source)}/${encodeURIComponent(next.system_id)}/series?format=f64`,
      ),
    };
  }

  function refreshItem(s) {
    const li = [...$('systems').children].find((x) => x.dataset.key === keyOf(s));
    if (li) fillItem(li, s);
    updateCounts();
  }

  /** The history of the system on show; `problem`: why it cannot be read (a damaged history file). */
  function renderHistory(entries, problem) {
    const ol = $('history');
    clear(ol);
    if (problem) {
      ol.appendChild(el('li', 'bad', problem));
      $('history-box').querySelector('summary').textContent = 'history of this system (unreadable)';
      return;
    }
    const summary = (r) =>
      r
        ? `v${r.label_version} ${r.label}${r.failure_type !== 'none' ? `/${r.failure_type}` : ''}${r.lead_time_days !== null && r.lead_time_days !== undefined ? ` lead ${r.lead_time_days}d` : ''}${r.confidence !== undefined ? ` conf ${r.confidence}` : ''}${r.failure_at ? ` failed ${r.failure_at}` : ''}${r.onset_at ? ` onset ${r.onset_at}` : ''}${r.notes ? ` "${r.notes}"` : ''}`
        : '(none)';
    for (const e of [...entries].reverse())
      ol.appendChild(
        el('li', '', `${e.changed_at} ${e.labeler}: ${summary(e.before)} → ${summary(e.after)}`),
      );
    $('history-box').querySelector('summary').textContent =
      `history of this system (${entries.length})`;
  }

  // ---- the plot ----
  function seriesNames() {
    return state.series ? state.series.series.map((s) => s.name) : [];
  }

  function sensorChoice() {
    let saved = {};
    try {
      saved = JSON.parse(lsGet(LS_SENSORS, '{}')) || {};
    } catch {
      saved = {};
    }
    return saved;
  }

  function isOn(name) {
    const saved = sensorChoice();
    return name in saved ? !!saved[name] : !DEFAULT_OFF.has(name);
  }

  function renderPicker() {
    const box = $('sensor-picker');
    clear(box);
    for (const name of seriesNames()) {
      const label = el('label');
      const cb = document.createElement('input');
      cb.type = 'checkbox';
      cb.value = name;
      cb.checked = isOn(name);
      cb.addEventListener('change', () => {
        const saved = sensorChoice();
        saved[name] = cb.checked;
        lsSet(LS_SENSORS, JSON.stringify(saved));
        drawPlots();
      });
      label.appendChild(cb);
      label.appendChild(document.createTextNode(` ${name}`));
      box.appendChild(label);
    }
  }

  function destroyPlots() {
    for (const p of state.plots) p.destroy();
    state.plots = [];
    clear($('plot'));
    $('plot').dataset.seriesCount = '0';
    $('plot').dataset.panels = '0';
  }

  function panelsFor(names) {
    const on = names.filter(isOn);
    const panels = [];
    const used = new Set();
    for (const g of GROUPS) {
      const ns = g.names.filter((n) => on.includes(n));
      ns.forEach((n) => used.add(n));
      if (ns.length) panels.push({ unit: g.unit, names: ns });
    }
    for (const n of on) if (!used.has(n)) panels.push({ unit: n, names: [n] });
    return panels;
  }

  function drawPlots() {
    const started = performance.now();
    const keepRange = state.xRange;
    destroyPlots();
    const data = state.series;
    if (!data) return;
    const box = $('plot');
    const panels = panelsFor(seriesNames());
    const valuesOf = new Map(data.series.map((s) => [s.name, s.values]));
    const colorOf = new Map(data.series.map((s, i) => [s.name, COLORS[i % COLORS.length]]));
    const width = Math.max(300, box.clientWidth || 800);
    // the panels share the height; only the bottom one draws the time axis
    const avail = Math.max(360, window.innerHeight - box.getBoundingClientRect().top - 60);
    const height = Math.max(90, Math.floor(avail / Math.max(1, panels.length)) - 34);
    let syncing = false;
    let count = 0;
    panels.forEach((p, i) => {
      const last = i === panels.length - 1;
      const div = el('div', 'panel');
      div.appendChild(el('span', 'unit', p.unit));
      box.appendChild(div);
      const xAxis = last
        ? {
            values: (u, splits) =>
              splits.map((v, j) =>
                timeTick(v, j === 0 ? null : splits[j - 1], u.scales.x.max - u.scales.x.min),
              ),
            size: 36,
          }
        : { values: (u, splits) => splits.map(() => ''), size: 4, ticks: { show: false } };
      const opts = {
        width,
        height: last ? height + 32 : height,
        cursor: { sync: { key: 'bess-label' }, drag: { x: true, y: false } },
        legend: { show: true, live: true },
        scales: { x: { time: true } },
        series: [
          { label: 'UTC', value: (u, v) => (v === null || v === undefined ? '--' : isoMinute(v)) },
          ...p.names.map((n) => ({
            label: n,
            stroke: colorOf.get(n),
            width: 1,
            spanGaps: false,
            points: { show: false },
          })),
        ],
        axes: [xAxis, { size: 56 }],
        hooks: {
          draw: [(u) => drawTimeMarks(u, i === 0)],
          setScale: [
            (u, key) => {
              if (key !== 'x' || syncing) return;
              syncing = true;
              state.xRange = [u.scales.x.min, u.scales.x.max];
              box.dataset.xMin = String(u.scales.x.min);
              box.dataset.xMax = String(u.scales.x.max);
              for (const other of state.plots)
                if (other !== u) other.setScale('x', { min: u.scales.x.min, max: u.scales.x.max });
              syncing = false;
            },
          ],
        },
      };
      const plot = new uPlot(opts, [data.t, ...p.names.map((n) => valuesOf.get(n))], div);
      state.plots.push(plot);
      count += p.names.length;
    });
    box.dataset.seriesCount = String(count);
    box.dataset.panels = String(panels.length);
    box.dataset.points = String(data.n);
    box.dataset.system = `${data.source}/${data.system_id}`;
    box.dataset.drawMs = String(Math.round(performance.now() - started));
    describeTimeMarks();
    $('plot-status').textContent =
      `${data.n.toLocaleString()} points · ${count} series · drag to zoom, double-click or r to reset, ←/→ to pan`;
    if (keepRange && state.plots[0])
      state.plots[0].setScale('x', { min: keepRange[0], max: keepRange[1] });
  }

  // ---- the model's score over time (harness label --results) ----
  const TIMELINE_COLORS = { score: '#2563eb', threshold: '#6b7280', alarm: '#dc2626' };

  function destroyTimelines() {
    for (const p of state.timelinePlots) p.destroy();
    state.timelinePlots = [];
    clear($('timelines'));
    $('timelines').dataset.count = '0';
  }

  /** One uPlot per timeline: score, dashed threshold, alarm triangles, onset and failure lines. */
  function drawTimelines(r) {
    destroyTimelines();
    const box = $('timelines');
    if (r.status !== 200) {
      box.appendChild(
        el('div', 'muted', r.data && r.data.error ? r.data.error : `HTTP ${r.status}`),
      );
      return;
    }
    const list = r.data.timelines;
    if (list.length === 0) {
      box.appendChild(el('div', 'muted', 'no score timeline of this system in the results'));
      return;
    }
    const width = Math.max(300, box.clientWidth || 800);
    for (const { suite, model, timeline: tl } of list) {
      const div = el('div', 'panel timeline');
      div.dataset.model = model;
      div.dataset.alarms = String(tl.alarms.length);
      const kind = tl.anomaly ? tl.failureType : 'normal';
      div.appendChild(
        el(
          'span',
          'unit',
          `${model} · ${suite} · ${kind} · ${tl.alarms.length} alarm${tl.alarms.length === 1 ? '' : 's'} at threshold ${tl.threshold}`,
        ),
      );
      box.appendChild(div);
      const t = tl.t.map((ms) => ms / 1000);
      const events = [
        {
          name: 'onset',
          sec: tl.onsetAt === null ? null : tl.onsetAt / 1000,
          color: MARK_COLORS.onset_at,
        },
        {
          name: 'failure',
          sec: tl.failureAt === null ? null : tl.failureAt / 1000,
          color: MARK_COLORS.failure_at,
        },
      ].filter((e) => e.sec !== null);
      // the failure usually lies after the data: the x range takes the events in
      const lo = Math.min(t.length ? t[0] : Infinity, ...events.map((e) => e.sec));
      const hi = Math.max(t.length ? t[t.length - 1] : -Infinity, ...events.map((e) => e.sec));
      const opts = {
        width,
        height: 200,
        legend: { show: true, live: true },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true, range: () => [lo, hi === lo ? lo + 1 : hi] } },
        series: [
          { label: 'UTC', value: (u, v) => (v === null || v === undefined ? '--' : isoMinute(v)) },
          { label: 'score', stroke: TIMELINE_COLORS.score, width: 1.5, points: { show: false } },
          {
            label: 'threshold',
            stroke: TIMELINE_COLORS.threshold,
            dash: [4, 4],
            width: 1,
            points: { show: false },
          },
        ],
        axes: [
          {
            values: (u, splits) =>
              splits.map((v, j) =>
                timeTick(v, j === 0 ? null : splits[j - 1], u.scales.x.max - u.scales.x.min),
              ),
            size: 44,
          },
          { size: 56 },
        ],
        hooks: { draw: [(u) => drawTimelineMarks(u, tl, events)] },
      };
      const plot = new uPlot(opts, [t, tl.score, t.map(() => tl.threshold)], div);
      state.timelinePlots.push(plot);
    }
    box.dataset.count = String(list.length);
  }

  /** The onset → failure window shaded, the two as labelled lines, each alarm a triangle on the score. */
  function drawTimelineMarks(u, tl, events) {
    const { left, top, width, height } = u.bbox;
    const ctx = u.ctx;
    const px = devicePixelRatio;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    if (tl.onsetAt !== null && tl.failureAt !== null) {
      const x0 = u.valToPos(tl.onsetAt / 1000, 'x', true);
      const x1 = u.valToPos(tl.failureAt / 1000, 'x', true);
      ctx.fillStyle = 'rgba(252, 165, 165, 0.3)';
      ctx.fillRect(x0, top, x1 - x0, height);
    }
    for (const e of events) {
      const x = Math.round(u.valToPos(e.sec, 'x', true));
      ctx.strokeStyle = e.color;
      ctx.lineWidth = 2 * px;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      ctx.fillStyle = e.color;
      ctx.font = `${11 * px}px sans-serif`;
      // uPlot leaves its own alignment on the context
      ctx.textAlign = 'left';
      ctx.textBaseline = 'alphabetic';
      // the failure often sits at the right edge: its label then goes to the left of the line
      const w = ctx.measureText(e.name).width;
      const tx = x + 4 * px + w > left + width ? x - 4 * px - w : x + 4 * px;
      ctx.fillText(e.name, tx, top + 12 * px);
    }
    ctx.fillStyle = TIMELINE_COLORS.alarm;
    for (const ms of tl.alarms) {
      // the last score at or before the alarm, else the threshold
      let y = tl.threshold;
      for (let i = 0; i < tl.t.length && tl.t[i] <= ms; i++)
        if (tl.score[i] !== null) y = tl.score[i];
      const x = u.valToPos(ms / 1000, 'x', true);
      const yy = u.valToPos(y, 'y', true);
      const s = 6 * px;
      ctx.beginPath();
      ctx.moveTo(x - s, yy - 2 * s);
      ctx.lineTo(x + s, yy - 2 * s);
      ctx.lineTo(x, yy);
      ctx.closePath();
      ctx.fill();
    }
    ctx.restore();
  }

  // ---- failure_at / onset_at on the plot ----
  const MARK_COLORS = { failure_at: '#111827', onset_at: '#d97706' };

  /** Epoch seconds of a contract timestamp (…Z) typed in the form, or null when it is not one. */
  function formInstant(id) {
    const v = $(id).value.trim();
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/.test(v)) return null;
    const ms = Date.parse(v);
    return Number.isFinite(ms) ? ms / 1000 : null;
  }

  /** The instants of the form to mark: [{ name, sec }], onset first. */
  function timeMarks() {
    if (chosenLabel() === 'normal') return [];
    return ['onset_at', 'failure_at']
      .map((name) => ({ name, sec: formInstant(name) }))
      .filter((m) => m.sec !== null);
  }

  /** A uPlot draw hook: a vertical line per mark inside the shown range, labelled on the top panel. */
  function drawTimeMarks(u, labelled) {
    const { left, top, width, height } = u.bbox;
    const ctx = u.ctx;
    for (const m of timeMarks()) {
      if (m.sec < u.scales.x.min || m.sec > u.scales.x.max) continue;
      const x = Math.round(u.valToPos(m.sec, 'x', true));
      if (x < left || x > left + width) continue;
      ctx.save();
      ctx.strokeStyle = MARK_COLORS[m.name];
      ctx.lineWidth = 2 * devicePixelRatio;
      ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      if (labelled) {
        ctx.fillStyle = MARK_COLORS[m.name];
        ctx.font = `${11 * devicePixelRatio}px sans-serif`;
        ctx.textAlign = 'left';
        ctx.textBaseline = 'alphabetic';
        ctx.fillText(
          m.name === 'failure_at' ? 'failure' : 'onset',
          x + 4,
          top + 12 * devicePixelRatio,
        );
      }
      ctx.restore();
    }
  }

  /**
   * Says where the marks are: `data-marks` on the plot lists those inside the series (drawn),
   * and the status line says how far after the last sample one lies (a failure usually does).
   */
  function describeTimeMarks() {
    const box = $('plot');
    const r = fullRange();
    const marks = timeMarks();
    const inside = r ? marks.filter((m) => m.sec >= r[0] && m.sec <= r[1]) : [];
    box.dataset.marks = inside.map((m) => m.name).join(' ');
    const notes = r
      ? marks
          .filter((m) => m.sec > r[1] || m.sec < r[0])
          .map((m) => {
            const days = (m.sec > r[1] ? m.sec - r[1] : r[0] - m.sec) / 86400;
            return `${m.name} is ${days.toFixed(1)} d ${m.sec > r[1] ? 'after the last' : 'before the first'} sample`;
          })
      : [];
    $('time-marks').textContent = notes.join(' · ');
  }

  function redrawTimeMarks() {
    for (const p of state.plots) p.redraw(false);
    describeTimeMarks();
  }

  const pad2 = (n) => String(n).padStart(2, '0');
  function isoMinute(sec) {
    const d = new Date(sec * 1000);
    return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
  }
  /** A time tick in UTC, 24 h: the date when the day changes (or on long spans), else the time. */
  function timeTick(sec, prev, span) {
    const d = new Date(sec * 1000);
    const date = `${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
    if (span > 20 * 86400) return date;
    const time = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
    const newDay = prev === null || new Date(prev * 1000).getUTCDate() !== d.getUTCDate();
    return newDay ? `${date}\n${time}` : time;
  }

  function fullRange() {
    const t = state.series && state.series.t;
    return t && t.length ? [t[0], t[t.length - 1]] : null;
  }

  function resetZoom() {
    const r = fullRange();
    if (r && state.plots[0]) state.plots[0].setScale('x', { min: r[0], max: r[1] });
  }

  function pan(dir) {
    const r = fullRange();
    const u = state.plots[0];
    if (!r || !u) return;
    const min = u.scales.x.min;
    const max = u.scales.x.max;
    const span = max - min;
    let lo = min + (dir * span) / 2;
    lo = Math.max(r[0], Math.min(lo, r[1] - span));
    u.setScale('x', { min: lo, max: lo + span });
  }

  window.addEventListener('resize', () => {
    const w = Math.max(300, $('plot').clientWidth || 800);
    for (const p of state.plots) p.setSize({ width: w, height: p.height });
  });

  // ---- the form ----
  const form = $('label-form');
  const radios = () => [...form.querySelectorAll('input[name=label]')];

  function chosenLabel() {
    const r = radios().find((x) => x.checked);
    return r ? r.value : '';
  }

  function setLabel(v) {
    for (const r of radios()) r.checked = r.value === v;
    applyLabelRules();
  }

  function applyLabelRules() {
    const normal = chosenLabel() === 'normal';
    const ft = $('failure_type');
    const lead = $('lead_time_days');
    if (normal) {
      ft.value = 'none';
      lead.value = '';
    }
    ft.disabled = normal;
    lead.disabled = normal;
    // a normal did not fail: it has no failure_at or onset_at
    for (const id of ['failure_at', 'onset_at']) {
      if (normal) $(id).value = '';
      $(id).disabled = normal;
    }
    if (state.plots.length) redrawTimeMarks();
  }

  function fillForm(row) {
    state.currentRow = row || null;
    state.expectedVersion = row ? row.label_version : 0;
    setLabel(row ? row.label : '');
    $('failure_type').value = row ? row.failure_type : 'none';
    $('lead_time_days').value =
      row && row.lead_time_days !== null && row.lead_time_days !== undefined
        ? String(row.lead_time_days)
        : '';
    $('confidence').value = row && row.confidence !== undefined ? String(row.confidence) : '';
    $('failure_at').value = row && row.failure_at ? row.failure_at : '';
    $('onset_at').value = row && row.onset_at ? row.onset_at : '';
    $('notes').value = row && row.notes ? row.notes : '';
    $('labeler').value = lsGet(LS_LABELER, '');
    applyLabelRules();
    $('version').textContent = row
      ? `version ${row.label_version}${row.labeler ? ` by ${row.labeler}` : ''}${row.labeled_at ? ` at ${row.labeled_at}` : ''}`
      : 'not labeled yet';
    state.filled = formValues();
  }

  /** What a save would send of the label (the labeler is the person's, not the label's). */
  function formValues() {
    return JSON.stringify(
      [chosenLabel()].concat(
        ['failure_type', 'lead_time_days', 'confidence', 'failure_at', 'onset_at', 'notes'].map(
          (id) => $(id).value,
        ),
      ),
    );
  }

  /** True when the form holds changes to the label on show that are not saved. */
  function formDirty() {
    return state.filled !== null && formValues() !== state.filled;
  }

  /** What the page asks before it drops the form's changes, naming the system they are of. */
  function discardQuestion() {
    const s = bySystemKey.get(state.selected);
    return `Your changes to the label of ${s ? s.system_id : 'this system'} are not saved. Discard them?`;
  }

  function clearErrors() {
    for (const e of form.querySelectorAll('.err')) e.textContent = '';
    for (const f of form.querySelectorAll('.invalid')) f.classList.remove('invalid');
  }

  function showErrors(errors) {
    clearErrors();
    for (const e of errors) {
      const slot =
        form.querySelector(`.err[data-err-for="${CSS.escape(e.field)}"]`) ||
        form.querySelector('.err[data-err-for=""]');
      slot.textContent = slot.textContent ? `${slot.textContent}; ${e.message}` : e.message;
      const field = slot.closest('.field');
      if (field) field.classList.add('invalid');
    }
  }

  function setStatus(text, kind) {
    const s = $('save-status');
    s.textContent = text;
    s.className = kind || '';
  }

  // Numbers go to the server as typed, which reads plain decimals only and names the field
  // otherwise. The fields are text: a number input dropped what it could not read ("3,5" became
  // 35, "1e" nothing) and a mouse wheel over it changed the value; Number() here read "0x10" as 16.
  function numberText(v) {
    const t = v.trim();
    return t === '' ? null : t;
  }

  /** The save in flight: the key of its system and whether it was saved, once answered. */
  let saving = null;
  async function save() {
    if (!state.selected || saving) return;
    const s = bySystemKey.get(state.selected);
    if (!s) return;
    let answered = () => {};
    saving = { key: keyOf(s), done: new Promise((resolve) => (answered = resolve)) };
    try {
      answered(await saveSystem(s));
    } finally {
      saving = null;
      answered(false);
    }
  }

  /** Saves the form as the label of `s`; true when the server took it. */
  async function saveSystem(s) {
    const label = chosenLabel();
    const body = {
      label,
      failure_type: label === 'normal' ? 'none' : $('failure_type').value,
      lead_time_days: label === 'normal' ? null : numberText($('lead_time_days').value),
      confidence: numberText($('confidence').value),
      // empty clears; the server checks the text with the rules of labels.csv
      failure_at: label === 'normal' ? null : $('failure_at').value,
      onset_at: label === 'normal' ? null : $('onset_at').value,
      notes: $('notes').value,
      labeler: $('labeler').value,
      expected_version: state.expectedVersion,
    };
    lsSet(LS_LABELER, $('labeler').value);
    state.formEdits++;
    state.saves++;
    $('save').disabled = true;
    setStatus('saving…', '');
    const r = await api(
      'POST',
      `/api/systems/${encodeURIComponent(s.source)}/${encodeURIComponent(s.system_id)}/label`,
      body,
    );
    $('save').disabled = false;
    if (r.status === 200) {
      s.label = r.data.row;
      refreshItem(s);
    }
    // select() waits for this save before it moves on, so the system is still the one on show.
    if (state.selected !== keyOf(s)) return r.status === 200;
    if (r.status === 200) {
      clearErrors();
      $('conflict').hidden = true;
      state.currentRow = r.data.row;
      state.expectedVersion = r.data.row.label_version;
      fillForm(r.data.row);
      setStatus(r.data.changed ? `saved version ${r.data.row.label_version}` : 'no change', 'ok');
      // saved: leave the field, so j/k move on at once
      if (isTyping(document.activeElement)) document.activeElement.blur();
      // The history, after the answer: j waits for the save, not for this.
      void api(
        'GET',
        `/api/systems/${encodeURIComponent(s.source)}/${encodeURIComponent(s.system_id)}`,
      ).then((info) => {
        if (info.status === 200 && state.selected === keyOf(s))
          renderHistory(info.data.history, info.data.history_error);
      });
      return true;
    } else if (r.status === 400 && r.data && Array.isArray(r.data.errors)) {
      showErrors(r.data.errors);
      setStatus(
        `not saved: ${r.data.errors.length} problem${r.data.errors.length === 1 ? '' : 's'}`,
        'bad',
      );
    } else if (r.status === 409) {
      showConflict(s, r.data);
      setStatus('not saved: someone else changed this label', 'bad');
    } else {
      setStatus(`not saved: ${r.data && r.data.error ? r.data.error : `HTTP ${r.status}`}`, 'bad');
    }
    return false;
  }

  function showConflict(s, data) {
    const box = $('conflict');
    box.hidden = false;
    $('conflict-message').textContent = data.error || 'this label changed since you loaded it';
    const dl = $('conflict-row');
    clear(dl);
    const row = data.current || {};
    for (const k of [
      'label',
      'failure_type',
      'lead_time_days',
      'confidence',
      'failure_at',
      'onset_at',
      'notes',
      'labeler',
      'labeled_at',
      'label_version',
    ]) {
      if (row[k] === undefined || row[k] === null) continue;
      dl.appendChild(el('dt', '', k));
      dl.appendChild(el('dd', '', row[k]));
    }
    $('conflict-theirs').onclick = () => {
      state.formEdits++;
      s.label = data.current;
      fillForm(data.current);
      refreshItem(s);
      box.hidden = true;
      setStatus('loaded their version', '');
    };
    $('conflict-mine').onclick = () => {
      state.expectedVersion = data.current ? data.current.label_version : 0;
      box.hidden = true;
      save();
    };
  }

  // ---- wiring ----
  const ft = $('failure_type');
  FAILURE_TYPES.forEach((t, i) => ft.appendChild(new Option(`${i + 1} ${t}`, t)));
  for (const r of radios()) r.addEventListener('change', applyLabelRules);
  // Typed, picked or clicked by the person (fillForm sets values without these events).
  for (const type of ['input', 'change']) form.addEventListener(type, () => state.formEdits++);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    save();
  });
  $('labeler').addEventListener('change', () => lsSet(LS_LABELER, $('labeler').value));
  // A reload or a closed tab with changes not saved, or a save not answered yet: the browser
  // asks before it leaves.
  window.addEventListener('beforeunload', (e) => {
    if (!saving && !formDirty()) return;
    e.preventDefault();
    e.returnValue = true; // browsers that ask only when returnValue is set (Chrome before 119)
  });
  for (const id of ['failure_at', 'onset_at']) $(id).addEventListener('input', redrawTimeMarks);
  $('systems').addEventListener('click', (e) => {
    const li = e.target.closest('li');
    const s = li && bySystemKey.get(li.dataset.key);
    if (s) select(s);
  });
  for (const id of ['filter-show', 'filter-source', 'unlabeled-first'])
    $(id).addEventListener('change', renderList);
  $('search').addEventListener('input', renderList);
  $('pan-left').addEventListener('click', () => pan(-1));
  $('pan-right').addEventListener('click', () => pan(1));
  $('zoom-reset').addEventListener('click', resetZoom);

  const TYPING = new Set(['text', 'number', 'search', 'email', 'password', 'url']);
  function isTyping(t) {
    if (!t || !t.tagName) return false;
    if (t.tagName === 'TEXTAREA' || t.tagName === 'SELECT') return true;
    return t.tagName === 'INPUT' && TYPING.has(t.type);
  }

  document.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
      e.preventDefault();
      save();
      return;
    }
    if (isTyping(e.target)) {
      if (e.key === 'Escape') e.target.blur();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key;
    if (k === 'n' || k === 'a' || (k >= '1' && k <= '6')) state.formEdits++;
    if (k === 'j') move(1);
    else if (k === 'k') move(-1);
    else if (k === 'n') setLabel('normal');
    else if (k === 'a') setLabel('anomaly');
    else if (k >= '1' && k <= '6') {
      setLabel('anomaly');
      $('failure_type').value = FAILURE_TYPES[Number(k) - 1];
      // an anomaly needs a lead time: type it, then Ctrl+Enter (Esc leaves the field)
      if ($('lead_time_days').value === '') $('lead_time_days').focus();
    } else if (k === 's') save();
    else if (k === '/') $('search').focus();
    else if (k === 'r') resetZoom();
    else if (k === 'ArrowLeft') pan(-1);
    else if (k === 'ArrowRight') pan(1);
    else return;
    e.preventDefault();
  });

  loadSystems().then(() => {
    document.body.dataset.ready = 'true';
  });
})();
