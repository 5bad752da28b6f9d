// The tilefarm dashboard: plain JavaScript, no build step, no network beyond this API.
// State comes from the API's JSON routes and two server-sent-event streams: /api/events for the farm,
// /api/jobs/{id}/events for the job being looked at.
'use strict';

const $ = (id) => document.getElementById(id);
let token = localStorage.getItem('tilefarm.token') || '';
const jobs = new Map();           // id -> summary
let farmStream = null;
let jobView = null;               // the open job view's state

// ---- API plumbing ----

function withToken(url) {
  if (!token) return url;
  return url + (url.includes('?') ? '&' : '?') + 'access_token=' + encodeURIComponent(token);
}

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  if (token) headers['Authorization'] = 'Bearer ' + token;
  const res = await fetch(path, Object.assign({}, options, { headers }));
  if (res.status === 401) {
    const t = prompt('This tilefarm API needs its bearer token (http.token):');
    if (t) {
      token = t.trim();
      localStorage.setItem('tilefarm.token', token);
      return api(path, options);
    }
  }
  const body = res.headers.get('Content-Type')?.startsWith('application/json') ? await res.json() : null;
  if (!res.ok) {
    const why = body ? (body.field ? body.field + ': ' : '') + body.reason : res.statusText;
    throw new Error(why);
  }
  return body;
}

function text(el, value) { el.textContent = value == null ? '' : String(value); }
function cell(tr, value, cls) { const td = document.createElement('td'); text(td, value); if (cls) td.className = cls; tr.appendChild(td); return td; }
// A failed tile's renderer log (povray, blender keep one), opened in a new tab; an empty cell when there is none.
function logCell(tr, url) {
  const td = cell(tr, '');
  if (url) {
    const a = document.createElement('a');
    a.href = withToken(url); a.target = '_blank'; a.rel = 'noopener'; a.className = 'log-link'; text(a, 'log');
    a.onclick = (e) => e.stopPropagation();
    td.appendChild(a);
  }
  return td;
}
function fmtMs(ms) { return ms == null ? '' : ms < 1000 ? ms + ' ms' : (ms / 1000).toFixed(1) + ' s'; }
function fmtTime(t) { return t ? new Date(t).toLocaleTimeString() : ''; }
function ended(j) { return j.endedAt != null; }
function pct(j) { return j.status === 'COMPLETED' ? 100 : j.tiles ? Math.floor(100 * j.done / j.tiles) : 0; }

function bar(j) {
  const outer = document.createElement('div');
  outer.className = 'bar' + (j.status === 'COMPLETED' ? ' done' : ended(j) ? ' bad' : '');
  const inner = document.createElement('div');
  inner.style.width = pct(j) + '%';
  outer.appendChild(inner);
  return outer;
}

// ---- Farm-wide view ----

// The job list's filters: a status (or 'active', not ended) and text found in the id or kind.
function jobShown(j) {
  const status = $('jobs-status').value;
  const q = $('jobs-search').value.trim().toLowerCase();
  if (status === 'active' ? ended(j) : status && j.status !== status) return false;
  return !q || j.id.toLowerCase().includes(q) || (j.kind || j.type || '').toLowerCase().includes(q);
}

function renderJobs() {
  const tbody = $('jobs').tBodies[0];
  tbody.replaceChildren();
  const list = [...jobs.values()].filter(jobShown)
    .sort((a, b) => (b.submittedAt || b.acceptedAt || 0) - (a.submittedAt || a.acceptedAt || 0));
  text($('jobs-count'), list.length === jobs.size ? jobs.size + ' jobs' : list.length + ' of ' + jobs.size + ' jobs');
  for (const j of list.slice(0, 200)) {
    const tr = document.createElement('tr');
    tr.className = 'clickable';
    tr.dataset.job = j.id;
    tr.dataset.status = j.status;
    tr.onclick = () => { location.hash = '#/jobs/' + encodeURIComponent(j.id); };
    cell(tr, j.id, 'mono');
    cell(tr, j.kind || j.type || '');
    const st = cell(tr, j.status); st.innerHTML = ''; const span = document.createElement('span');
    span.className = 'status ' + j.status; text(span, j.status); st.appendChild(span);
    if (j.waitingOn && j.waitingOn.length) st.appendChild(document.createTextNode(' on ' + j.waitingOn.join(', ')));
    // PAUSED is its own status; a job paused while it waits keeps WAITING, so the mark says it too.
    if (j.paused && j.status !== 'PAUSED') st.appendChild(document.createTextNode(' (paused)'));
    if (j.attempt) st.appendChild(document.createTextNode(' (attempt ' + j.attempt + ')'));
    cell(tr, j.priority != null ? j.priority : '', 'priority');
    cell(tr, '').appendChild(bar(j));
    cell(tr, j.tiles ? j.done + '/' + j.tiles : '');
    cell(tr, j.width ? j.width + '×' + j.height : '');
    cell(tr, j.timings ? fmtMs(j.timings.total) : ended(j) && j.acceptedAt ? fmtMs(j.endedAt - j.acceptedAt) : '');
    tbody.appendChild(tr);
  }
}

async function refreshFarm() {
  try {
    const [stats, workers, dead] = await Promise.all([api('/api/stats'), api('/api/workers'), api('/api/dead-letters')]);
    text($('h-rate'), stats.tilesPerSecond.toFixed(2));
    text($('h-running'), stats.jobsRunning);
    // The workers' backlog is one number per tile task topic (shared, and one per renderer): the sum is queued.
    const queued = stats.backlog.filter((b) => b.group.includes('render-workers'));
    text($('h-backlog'), queued.length ? queued.reduce((n, b) => n + b.records, 0) : '–');
    text($('h-workers'), workers.workers.filter((w) => w.live).length);
    const wb = $('workers').tBodies[0]; wb.replaceChildren();
    for (const w of workers.workers) {
      const tr = document.createElement('tr');
      tr.dataset.worker = w.id;
      cell(tr, w.id, 'mono'); cell(tr, w.health, 'health-' + w.health);
      cell(tr, w.renderers.join(', '), 'renderers'); cell(tr, w.threads);
      cell(tr, w.tiles); cell(tr, w.tilesPerSecond.toFixed(2)); cell(tr, w.meanRenderMs.toFixed(0)); cell(tr, w.failures);
      cell(tr, fmtTime(w.lastSeen));
      wb.appendChild(tr);
    }
    const bb = $('backlog').tBodies[0]; bb.replaceChildren();
    for (const b of stats.backlog) {
      const tr = document.createElement('tr'); cell(tr, b.topic, 'mono'); cell(tr, b.group, 'mono'); cell(tr, b.records); bb.appendChild(tr);
    }
    const fb = $('failed-tiles').tBodies[0]; fb.replaceChildren();
    for (const f of stats.failedTiles.slice(0, 50)) {
      const tr = document.createElement('tr'); tr.className = 'clickable';
      tr.onclick = () => { location.hash = '#/jobs/' + encodeURIComponent(f.jobId); };
      cell(tr, f.jobId, 'mono'); cell(tr, f.index); cell(tr, f.worker, 'mono'); cell(tr, f.reason, 'reason'); logCell(tr, f.log);
      fb.appendChild(tr);
    }
    const db = $('dead-letters').tBodies[0]; db.replaceChildren();
    for (const d of dead.deadLetters.slice(0, 50)) {
      const tr = document.createElement('tr');
      cell(tr, d.sourceTopic + '-' + d.partition + '@' + d.offset, 'mono'); cell(tr, d.key, 'mono'); cell(tr, d.role);
      cell(tr, d.error, 'reason'); cell(tr, d.valuePreview, 'mono'); db.appendChild(tr);
    }
  } catch (e) {
    console.warn('refresh failed', e);
  }
}

function connectFarm() {
  if (farmStream) farmStream.close();
  farmStream = new EventSource(withToken('/api/events'));
  farmStream.onopen = async () => {
    $('h-conn').className = 'conn up'; text($('h-conn'), 'live');
    // Subscribed first, listed second: nothing falls between, and summaries are idempotent.
    const list = await api('/api/jobs?limit=500');
    for (const j of list.jobs) jobs.set(j.id, j);
    renderJobs();
  };
  farmStream.onerror = () => { $('h-conn').className = 'conn down'; text($('h-conn'), 'reconnecting…'); };
  farmStream.addEventListener('job', (e) => {
    const j = JSON.parse(e.data);
    jobs.set(j.id, j);
    scheduleRender();
  });
  farmStream.addEventListener('dead-letter', () => refreshFarm());
}

let renderPending = false;
function scheduleRender() {
  if (renderPending) return;
  renderPending = true;
  requestAnimationFrame(() => { renderPending = false; renderJobs(); });
}

// ---- Submitting ----

async function submitJob() {
  const msg = $('submit-msg');
  msg.className = 'msg'; text(msg, 'submitting…');
  let body;
  try { body = JSON.parse($('job-json').value); } catch (e) { msg.className = 'msg error'; text(msg, 'not JSON: ' + e.message); return; }
  try {
    const r = await api('/api/jobs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    text(msg, 'submitted ' + r.id);
    location.hash = '#/jobs/' + encodeURIComponent(r.id);
  } catch (e) { msg.className = 'msg error'; text(msg, e.message); }
}

async function uploadJob() {
  const msg = $('submit-msg');
  const file = $('upload-file').files[0];
  if (!file) { msg.className = 'msg error'; text(msg, 'choose an image first'); return; }
  const params = new URLSearchParams();
  for (const op of $('upload-ops').value.split(/\s+/).filter(Boolean)) params.append('op', op);
  params.append('filename', file.name);
  msg.className = 'msg'; text(msg, 'uploading…');
  try {
    const r = await api('/api/uploads?' + params, { method: 'POST', headers: { 'Content-Type': file.type || 'application/octet-stream' }, body: file });
    text(msg, 'submitted ' + r.id);
    location.hash = '#/jobs/' + encodeURIComponent(r.id);
  } catch (e) { msg.className = 'msg error'; text(msg, e.message); }
}

// ---- One job ----

function openJob(id) {
  closeJob();
  $('home').hidden = true; $('job').hidden = false;
  text($('job-id'), id);
  const v = jobView = { id, job: null, tiles: new Map(), drawn: new Set(), final: false, stream: null, maxMs: 1 };
  const preview = $('preview');
  preview.width = 1; preview.height = 1;
  preview.dataset.tilesDrawn = '0'; preview.dataset.final = 'false'; preview.dataset.status = '';
  $('job-events').tBodies[0].replaceChildren();
  $('job-failed').tBodies[0].replaceChildren();
  $('job-url').hidden = true;
  v.stream = new EventSource(withToken('/api/jobs/' + encodeURIComponent(id) + '/events'));
  v.stream.addEventListener('snapshot', (e) => {
    const d = JSON.parse(e.data);
    if (!d) return;
    for (const ev of d.events) addEvent(v, ev);
    setJob(v, d.job);
    for (const t of d.tiles) addTile(v, t);
  });
  v.stream.addEventListener('job', (e) => setJob(v, JSON.parse(e.data)));
  v.stream.addEventListener('job-event', (e) => addEvent(v, JSON.parse(e.data)));
  v.stream.addEventListener('tile', (e) => addTile(v, JSON.parse(e.data).tile));
  v.stream.onerror = () => {
    // The server ends the stream after the job's end; reconnecting then would only replay it.
    if (v.job && ended(v.job)) v.stream.close();
  };
}

function closeJob() {
  if (jobView && jobView.stream) jobView.stream.close();
  jobView = null;
}

function sizeCanvases(v) {
  for (const c of [$('preview'), $('heat')]) {
    if (c.width !== v.job.width || c.height !== v.job.height) {
      c.width = v.job.width; c.height = v.job.height;
    }
  }
  v.drawn.clear();
  $('preview').dataset.tilesDrawn = '0';
}

function setJob(v, j) {
  if (v !== jobView) return;
  const first = !v.job || v.job.width !== j.width || v.job.height !== j.height;
  v.job = j;
  if (first && j.width) { sizeCanvases(v); for (const t of v.tiles.values()) drawTile(v, t); }
  const st = $('job-status'); st.className = 'status ' + j.status; text(st, j.status);
  $('preview').dataset.status = j.status;
  const b = $('job-bar'); b.style.width = pct(j) + '%';
  b.parentElement.className = 'bar' + (j.status === 'COMPLETED' ? ' done' : ended(j) ? ' bad' : '');
  const parts = [];
  if (j.kind || j.type) parts.push(j.kind || j.type);
  if (j.priority != null) parts.push('priority ' + j.priority);
  if (j.paused) parts.push('paused');
  if (j.waitingOn && j.waitingOn.length) parts.push('waiting on ' + j.waitingOn.join(', '));
  // The API leaves a first run's attempt out; once the splitter answered, every job is on some attempt.
  if (j.attempt || j.acceptedAt || j.status === 'WAITING') parts.push('attempt ' + (j.attempt || 1));
  if (j.width) parts.push(j.width + '×' + j.height);
  if (j.tiles) parts.push(j.done + '/' + j.tiles + ' tiles');
  if (j.timings) parts.push('total ' + fmtMs(j.timings.total) + ', render ' + fmtMs(j.timings.render) + ' (all workers), assemble ' + fmtMs(j.timings.assemble));
  if (j.output) parts.push(j.output);
  if (j.sha256) parts.push('sha256 ' + j.sha256.slice(0, 16) + '…');
  text($('job-info'), parts.join(' · '));
  $('job-reason').hidden = !j.reason; text($('job-reason'), (j.field ? j.field + ': ' : '') + (j.reason || ''));
  $('job-cancel').disabled = ended(j) || j.cancelRequested;
  $('job-pause').hidden = !!j.paused; $('job-resume').hidden = !j.paused;
  $('job-pause').disabled = ended(j) || !j.acceptedAt; $('job-resume').disabled = ended(j);
  $('job-priority').disabled = ended(j) || !j.acceptedAt;
  if (document.activeElement !== $('job-priority') && j.priority != null) $('job-priority').value = j.priority;
  $('job-retry').hidden = j.status !== 'FAILED' && j.status !== 'CANCELLED';
  const done = j.status === 'COMPLETED';
  $('job-download').hidden = !done; $('job-presign').hidden = !done;
  // An animation that asked for a video: COMPLETED names it, the API serves it as video/mp4 or video/quicktime.
  $('job-video').hidden = !(done && j.video);
  if (done && j.video) $('job-video').href = withToken('/api/jobs/' + encodeURIComponent(j.id) + '/video');
  if (done) {
    $('job-download').href = withToken('/api/jobs/' + encodeURIComponent(j.id) + '/output?download=true');
    if (!v.final) drawFinal(v);
  }
}

function addEvent(v, ev) {
  if (v !== jobView) return;
  const tr = document.createElement('tr');
  cell(tr, fmtTime(ev.timestamp));
  cell(tr, ev.status);
  const details = Object.entries(ev).filter(([k]) => !['jobId', 'status', 'timestamp'].includes(k))
    .map(([k, val]) => k + '=' + (typeof val === 'object' ? JSON.stringify(val) : val)).join(' ');
  cell(tr, details, ev.status === 'FAILED' || ev.status === 'REJECTED' ? 'reason' : 'mono');
  $('job-events').tBodies[0].appendChild(tr);
}

function addTile(v, t) {
  if (v !== jobView) return;
  v.tiles.set(t.index, t);
  if (t.renderMs != null) v.maxMs = Math.max(v.maxMs, t.renderMs);
  if (t.status === 'FAILED') {
    const tr = document.createElement('tr');
    cell(tr, t.index); cell(tr, t.worker, 'mono'); cell(tr, t.reason, 'reason'); logCell(tr, t.log);
    $('job-failed').tBodies[0].appendChild(tr);
  }
  drawHeat(v);
  if (v.job && v.job.width) drawTile(v, t);
}

// Each finished tile is fetched as PNG (the API decodes the farm's raw tile format) and drawn where it
// belongs, so the image fills in while the job runs.
function drawTile(v, t) {
  if (t.status !== 'DONE' || v.drawn.has(t.index)) return;
  v.drawn.add(t.index);
  const img = new Image();
  img.onload = () => {
    if (v !== jobView || (v.final && currentView() !== 'tiles')) return;
    $('preview').getContext('2d').drawImage(img, t.x, t.y);
    const p = $('preview');
    p.dataset.tilesDrawn = String(Number(p.dataset.tilesDrawn) + 1);
  };
  img.onerror = () => v.drawn.delete(t.index);
  img.src = withToken('/api/jobs/' + encodeURIComponent(v.id) + '/tiles/' + t.index + '.png');
}

function drawFinal(v) {
  if (currentView() === 'tiles') return;
  v.final = true;
  const img = new Image();
  img.onload = () => {
    if (v !== jobView || currentView() === 'tiles') return;
    const p = $('preview');
    p.getContext('2d').drawImage(img, 0, 0);
    p.dataset.final = 'true';
  };
  img.onerror = () => { v.final = false; };
  img.src = withToken('/api/jobs/' + encodeURIComponent(v.id) + '/output');
}

// Tile timings: each tile coloured from blue (fastest) to red (slowest of the job so far).
function drawHeat(v) {
  if (!v.job || !v.job.width) return;
  const c = $('heat');
  const g = c.getContext('2d');
  g.clearRect(0, 0, c.width, c.height);
  let min = Infinity;
  for (const t of v.tiles.values()) if (t.renderMs != null) min = Math.min(min, t.renderMs);
  for (const t of v.tiles.values()) {
    if (t.status === 'FAILED') { g.fillStyle = '#000'; }
    else {
      const f = v.maxMs > min ? (t.renderMs - min) / (v.maxMs - min) : 0;
      g.fillStyle = 'hsl(' + Math.round(240 * (1 - f)) + ', 85%, 50%)';
    }
    g.fillRect(t.x, t.y, t.width, t.height);
    g.strokeStyle = 'rgba(255,255,255,0.6)';
    g.strokeRect(t.x + 0.5, t.y + 0.5, t.width - 1, t.height - 1);
    if (t.width >= 40 && t.height >= 16 && t.renderMs != null) {
      g.fillStyle = '#fff'; g.font = '11px sans-serif'; g.fillText(t.renderMs + 'ms', t.x + 4, t.y + 13);
    }
  }
  text($('heat-legend'), 'blue ' + (isFinite(min) ? min : 0) + ' ms → red ' + v.maxMs + ' ms per tile; black: failed');
}

function currentView() { return document.querySelector('input[name=view]:checked').value; }

function switchView() {
  const view = currentView();
  $('heat').hidden = view !== 'heat'; $('heat-legend').hidden = view !== 'heat';
  $('preview').hidden = view === 'heat';
  const v = jobView;
  if (!v || !v.job || !v.job.width) return;
  if (view === 'tiles') {
    // Redraw from the tiles alone, as the job's progressive preview would show them.
    const p = $('preview'); p.getContext('2d').clearRect(0, 0, p.width, p.height);
    p.dataset.final = 'false'; v.final = false; sizeCanvases(v);
    for (const t of v.tiles.values()) drawTile(v, t);
  } else if (view === 'image' && v.job.status === 'COMPLETED') {
    drawFinal(v);
  }
}

async function cancelJob() {
  if (!jobView) return;
  try { await api('/api/jobs/' + encodeURIComponent(jobView.id) + '/cancel', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }); $('job-cancel').disabled = true; }
  catch (e) { alert(e.message); }
}

async function scheduleJob(kind, body) {
  if (!jobView) return;
  try { await api('/api/jobs/' + encodeURIComponent(jobView.id) + '/' + kind, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body || {}) }); }
  catch (e) { alert(e.message); }
}

async function retryJob() {
  if (!jobView) return;
  try { await api('/api/jobs/' + encodeURIComponent(jobView.id) + '/retry', { method: 'POST' }); $('job-retry').hidden = true; }
  catch (e) { alert(e.message); }
}

async function presign() {
  if (!jobView) return;
  try {
    const r = await api('/api/jobs/' + encodeURIComponent(jobView.id) + '/output-url');
    $('job-url').hidden = false; text($('job-url'), r.url + '  (valid until ' + r.expiresAt + ')');
  } catch (e) { alert(e.message); }
}

// ---- Routing ----

function route() {
  const m = location.hash.match(/^#\/jobs\/(.+)$/);
  if (m) { openJob(decodeURIComponent(m[1])); return; }
  closeJob();
  $('job').hidden = true; $('home').hidden = false;
  renderJobs();
}

$('jobs-status').onchange = renderJobs;
$('jobs-search').oninput = renderJobs;
$('stage').onclick = () => $('stage').classList.toggle('full');
$('submit-job').onclick = submitJob;
$('upload-job').onclick = uploadJob;
$('job-cancel').onclick = cancelJob;
$('job-pause').onclick = () => scheduleJob('pause');
$('job-resume').onclick = () => scheduleJob('resume');
$('job-priority').onchange = () => scheduleJob('priority', { priority: Number($('job-priority').value) });
$('job-retry').onclick = retryJob;
$('job-presign').onclick = presign;
for (const r of document.querySelectorAll('input[name=view]')) r.onchange = switchView;
window.addEventListener('hashchange', route);
connectFarm();
refreshFarm();
setInterval(refreshFarm, 2000);
route();
