// The UpscaleFarm console: a small single page over the job API. The API key stays in this tab's
// session storage and goes with every request; pages poll the API (EventSource cannot send the key).
'use strict';

const $ = (id) => document.getElementById(id);
let key = sessionStorage.getItem('upscalefarm-key');
let timer = null;
let viewer = null;
const blobUrls = [];

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { ...(options.headers || {}), Authorization: `Bearer ${key}` } });
  if (response.status === 401) { signOut(); throw new Error('the API key was refused'); }
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new Error(problem.detail || `${response.status} ${response.statusText}`);
  }
  return response;
}
const json = async (path) => (await api(path)).json();
async function blobUrl(path) {
  const url = URL.createObjectURL(await (await api(path)).blob());
  blobUrls.push(url);
  return url;
}

function show(page) {
  for (const id of ['sign-in', 'jobs-page', 'job-page']) $(id).hidden = id !== page;
  $('sign-out').hidden = page === 'sign-in';
}

function signOut() {
  sessionStorage.removeItem('upscalefarm-key');
  key = null;
  route();
}

$('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  key = $('api-key').value.trim();
  try {
    await json('/v1/models');
    sessionStorage.setItem('upscalefarm-key', key);
    $('sign-in-error').textContent = '';
    route();
  } catch (error) {
    $('sign-in-error').textContent = `Sign-in failed: ${error.message}`;
    key = null;
  }
});
$('sign-out').addEventListener('click', signOut);

// --- submitting ---------------------------------------------------------------------------------
let chosen = [];
function choose(files) {
  chosen = [...files];
  $('chosen').textContent = chosen.map((f) => f.name).join(', ');
  $('submit').disabled = chosen.length === 0;
}
$('files').addEventListener('change', (event) => choose(event.target.files));
const zone = $('drop-zone');
zone.addEventListener('dragover', (event) => { event.preventDefault(); zone.classList.add('over'); });
zone.addEventListener('dragleave', () => zone.classList.remove('over'));
zone.addEventListener('drop', (event) => { event.preventDefault(); zone.classList.remove('over'); choose(event.dataTransfer.files); });

$('submit-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData();
  for (const [field, value] of [['model', $('model').value], ['format', $('format').value], ['scale', $('scale').value], ['tile', $('tile').value], ['priority', $('priority').value]])
    if (value) form.append(field, value);
  for (const file of chosen) form.append('files', file, file.name);
  $('submit').disabled = true;
  try {
    const job = await (await api('/v1/jobs', { method: 'POST', body: form })).json();
    $('submit-error').textContent = '';
    choose([]);
    location.hash = `#/jobs/${job.id}`;
  } catch (error) {
    $('submit-error').textContent = error.message;
    $('submit').disabled = false;
  }
});

// --- job list -----------------------------------------------------------------------------------
async function refreshJobs() {
  const page = await json('/v1/jobs?pageSize=50');
  $('jobs').tBodies[0].replaceChildren(...page.items.map((job) => {
    const row = document.createElement('tr');
    row.dataset.jobId = job.id;
    row.innerHTML = `<td><a href="#/jobs/${job.id}">${job.id.slice(0, 8)}</a></td><td class="state">${job.state}</td>` +
      `<td><progress max="100" value="${job.percent}"></progress></td><td>${job.framesDone}/${job.framesTotal}</td>` +
      `<td>${new Date(job.createdAt).toLocaleTimeString()}</td>`;
    return row;
  }));
}

async function showJobs() {
  show('jobs-page');
  const models = await json('/v1/models');
  $('model').replaceChildren(...models.map((m) => new Option(`${m.id} (x${m.scale})`, m.id, m.default, m.default)));
  await refreshJobs();
  timer = setInterval(() => refreshJobs().catch(() => {}), 1000);
}

// --- one job: tile map, before/after, viewer ----------------------------------------------------
const workerColours = new Map();
function colourOf(worker) {
  if (!workerColours.has(worker)) workerColours.set(worker, `hsl(${(workerColours.size * 137) % 360} 65% 50%)`);
  return workerColours.get(worker);
}

function drawTiles(frame, tiles) {
  const canvas = $('tile-map');
  const scale = Math.min(640 / frame.width, 480 / frame.height);
  canvas.width = Math.max(1, Math.round(frame.width * scale));
  canvas.height = Math.max(1, Math.round(frame.height * scale));
  const g = canvas.getContext('2d');
  g.clearRect(0, 0, canvas.width, canvas.height);
  let done = 0;
  for (const tile of tiles.filter((t) => t.plane === 0)) {
    g.fillStyle = tile.state === 'done' ? colourOf(tile.worker) : tile.attempts > 0 ? '#ffd54f' : '#ddd';
    if (tile.state === 'done') done++;
    g.fillRect(tile.x * scale, tile.y * scale, tile.width * scale, tile.height * scale);
    g.strokeStyle = '#fff';
    g.strokeRect(tile.x * scale, tile.y * scale, tile.width * scale, tile.height * scale);
  }
  canvas.dataset.tilesDone = String(done);
  $('tile-legend').replaceChildren(...[...workerColours].map(([worker, colour]) => {
    const item = document.createElement('span');
    item.style.color = colour;
    item.textContent = ` ■ ${worker} `;
    return item;
  }));
}

// Results up to this many pixels are also shown whole (before/after); the viewer reads any size tile by tile.
const WHOLE_IMAGE_LIMIT = 40e6;

async function showResult(id, frame) {
  $('compare-section').hidden = false;
  const whole = frame.width * frame.scale * frame.height * frame.scale <= WHOLE_IMAGE_LIMIT;
  $('compare').hidden = $('compare-slider').hidden = !whole;
  if (whole) {
    const [before, after] = await Promise.all([blobUrl(`/v1/jobs/${id}/frames/0/source`), blobUrl(`/v1/jobs/${id}/frames/0/result`)]);
    $('before').src = before;
    $('after').src = after;
    $('after').onload = () => { $('before').style.width = `${$('after').clientWidth}px`; };
  }
  $('download').onclick = async (event) => {
    if ($('download').href.startsWith('blob:')) return;
    event.preventDefault();
    $('download').href = await blobUrl(`/v1/jobs/${id}/result`);
    $('download').download = frame.name.replace(/\.[^.]*$/, '') + '-upscaled';
    $('download').click();
  };
  if (window.OpenSeadragon) {
    // A Deep Zoom pyramid made by the API on first view; tiles are fetched with the key.
    viewer = OpenSeadragon({
      element: $('viewer'), prefixUrl: 'lib/openseadragon/images/', showNavigator: true,
      tileSources: `/v1/jobs/${id}/frames/0/dzi/image.dzi`, loadTilesWithAjax: true, ajaxHeaders: { Authorization: `Bearer ${key}` },
    });
    viewer.addHandler('open', () => { $('viewer').dataset.opened = 'true'; });
    viewer.addHandler('tile-loaded', () => { $('viewer').dataset.tilesLoaded = String(Number($('viewer').dataset.tilesLoaded || 0) + 1); });
  }
}
$('compare-slider').addEventListener('input', (event) => { $('before-clip').style.width = `${event.target.value}%`; });

async function showJob(id) {
  show('job-page');
  $('compare-section').hidden = true;
  let comparing = false;
  const refresh = async () => {
    const job = await json(`/v1/jobs/${id}`);
    $('job-title').textContent = `Job ${id.slice(0, 8)} · ${job.model} → ${job.format}`;
    $('job-state').textContent = `${job.state} · ${job.tilesDone}/${job.tilesTotal} tiles · ${job.percent}%` +
      (job.etaSeconds != null ? ` · about ${Math.ceil(job.etaSeconds)} s left` : '') + (job.error ? ` · ${job.error}` : '');
    $('job-page').dataset.state = job.state;
    $('job-progress').value = job.percent;
    const frames = await json(`/v1/jobs/${id}/frames`);
    if (frames.length && frames[0].width) drawTiles(frames[0], await json(`/v1/jobs/${id}/frames/0/tiles`));
    if (job.state === 'completed' && !comparing && frames[0].state === 'assembled') {
      comparing = true;
      await showResult(id, frames[0]);
    }
    if (['completed', 'failed', 'cancelled'].includes(job.state)) clearInterval(timer);
  };
  await refresh();
  timer = setInterval(() => refresh().catch(() => {}), 500);
}

// --- routing ------------------------------------------------------------------------------------
function route() {
  clearInterval(timer);
  if (viewer) { viewer.destroy(); viewer = null; delete $('viewer').dataset.opened; delete $('viewer').dataset.tilesLoaded; }
  $('download').setAttribute('href', '#');
  blobUrls.splice(0).forEach(URL.revokeObjectURL);
  if (!key) return show('sign-in');
  $('tenant').textContent = 'signed in';
  const match = location.hash.match(/^#\/jobs\/([0-9a-f-]+)$/);
  (match ? showJob(match[1]) : showJobs()).catch((error) => { $('submit-error').textContent = error.message; });
}
window.addEventListener('hashchange', route);
route();
