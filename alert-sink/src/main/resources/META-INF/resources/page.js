const events = new Map();
let settings = { openThreshold: 0, closeThreshold: 0 };
let me = null;

/** Thrown when the API wants a login: the page shows the form. */
class LoginNeeded extends Error {}

async function api(path, options) {
  const response = await fetch(path, options);
  if (response.status === 401) throw new LoginNeeded();
  if (!response.ok) throw new Error(path + ': ' + response.status + ' ' + await response.text());
  return response.status === 204 ? null : response.json();
}

function showLogin(message) {
  document.querySelector('main').hidden = true;
  document.getElementById('login').hidden = false;
  document.getElementById('status').textContent = 'signed out';
  document.getElementById('login-error').textContent = message || '';
}

document.getElementById('login').addEventListener('submit', async ev => {
  ev.preventDefault();
  const response = await fetch('auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: document.getElementById('username').value,
                           password: document.getElementById('password').value }) });
  document.getElementById('password').value = '';
  if (response.ok) { start(); return; }
  showLogin(response.status === 404 ? 'Sign in through your identity provider.' : await response.text());
});

async function logout() {
  await fetch('auth/logout', { method: 'POST' });
  location.reload();
}

async function review(id, action) {
  const note = action === 'resolve' ? (prompt('Note (optional)') ?? '') : '';
  const e = await api('events/' + encodeURIComponent(id) + '/' + action, { method: 'POST',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ note }) });
  events.set(e.id, { ...events.get(e.id), review: e.review });
  renderEvents();
}

function fmtTime(ms) { return ms ? new Date(ms).toISOString().replace('T', ' ').replace('Z', '') : '—'; }

function renderEvents() {
  const list = document.getElementById('events');
  const sorted = [...events.values()].sort((a, b) => b.startTimeMs - a.startTimeMs || b.id.localeCompare(a.id));
  list.replaceChildren(...sorted.map(e => {
    const li = document.createElement('li');
    li.className = 'event';
    li.dataset.eventId = e.id;
    if (e.thumbnailUrl) {
      const img = document.createElement('img');
      img.src = e.thumbnailUrl + '?state=' + e.state + '&end=' + e.endFrame;
      img.alt = 'peak frame of ' + e.id;
      li.append(img);
    }
    const meta = document.createElement('div');
    meta.className = 'meta';
    const boxes = e.boxes.map(b => b.className).join(', ') || 'no box';
    meta.innerHTML = `<span class="state ${e.state}"></span> <b class="camera-id"></b><br>
      frames ${e.startFrame}–${e.endFrame}, peak ${e.peakFrame} (score ${e.peakScore.toFixed(2)})<br>
      ${fmtTime(e.startTimeMs)}<br><span class="why"></span><span class="boxes"></span>`;
    if (e.explanation) meta.querySelector('.why').textContent = e.explanation + ' — ';
    meta.querySelector('.state').textContent = e.state;
    meta.querySelector('.camera-id').textContent = e.camera;
    meta.querySelector('.boxes').textContent = boxes;
    const r = document.createElement('div');
    r.className = 'review';
    if (e.review) r.textContent = `${e.review.action.toLowerCase()} by ${e.review.by}, ${fmtTime(e.review.timeMs)}`
        + (e.review.note ? ': ' + e.review.note : '');
    if (me && me.roles.includes('operator') && e.review?.action !== 'RESOLVED') {
      for (const action of e.review ? ['resolve'] : ['acknowledge', 'resolve']) {
        const b = document.createElement('button');
        b.textContent = action;
        b.className = action;
        b.onclick = () => review(e.id, action).catch(failed);
        r.append(b);
      }
    }
    meta.append(r);
    const clip = document.createElement('div');
    clip.className = 'clip';
    const play = document.createElement('button');
    play.textContent = 'clip';
    play.className = 'play';
    play.onclick = () => {
      const video = document.createElement('video');
      video.controls = true;
      video.autoplay = true;
      video.muted = true;
      video.src = 'events/' + encodeURIComponent(e.id) + '/clip.mp4?end=' + e.endFrame;
      const save = document.createElement('a');
      save.href = video.src;
      save.download = e.camera + '-' + e.startFrame + '.mp4';
      save.textContent = 'download';
      clip.replaceChildren(video, save);
    };
    clip.append(play);
    meta.append(clip);
    li.append(meta);
    return li;
  }));
  document.getElementById('no-events').hidden = events.size > 0;
}

function drawTimeline(canvas, points) {
  const w = canvas.width = canvas.clientWidth * devicePixelRatio;
  const h = canvas.height = canvas.clientHeight * devicePixelRatio;
  const g = canvas.getContext('2d');
  g.fillStyle = '#fff'; g.fillRect(0, 0, w, h);
  if (points.length === 0) return;
  const max = Math.max(settings.openThreshold * 1.2, ...points.map(p => p.smoothed), 1e-6);
  const x = i => (i / Math.max(1, points.length - 1)) * (w - 2) + 1;
  const y = v => h - 4 - (Math.max(0, v) / max) * (h - 8);
  for (const [t, color] of [[settings.openThreshold, '#d93a3a'], [settings.closeThreshold, '#e8a33d']]) {
    g.strokeStyle = color; g.setLineDash([6, 4]); g.beginPath(); g.moveTo(0, y(t)); g.lineTo(w, y(t)); g.stroke();
  }
  g.setLineDash([]); g.strokeStyle = '#2f6fdb'; g.lineWidth = 2 * devicePixelRatio; g.beginPath();
  points.forEach((p, i) => i === 0 ? g.moveTo(x(i), y(p.smoothed)) : g.lineTo(x(i), y(p.smoothed)));
  g.stroke();
}

async function refreshCameras() {
  const cameras = await api('cameras');
  const box = document.getElementById('cameras');
  if (cameras.length > 0 && box.querySelector('.empty')) box.replaceChildren();
  for (const camera of cameras) {
    let div = [...box.children].find(d => d.dataset.camera === camera);
    if (!div) {
      div = document.createElement('div');
      div.className = 'camera';
      div.dataset.camera = camera;
      const title = document.createElement('b');
      title.textContent = camera;
      const info = document.createElement('span');
      info.className = 'info';
      const zones = document.createElement('button');
      zones.textContent = 'ignore zones';
      zones.className = 'show-zones';
      zones.onclick = () => showZones(div, camera).catch(failed);
      div.append(title, ' ', info, zones, document.createElement('canvas'));
      box.append(div);
    }
    const points = await api('cameras/' + encodeURIComponent(camera) + '/scores');
    div.dataset.points = points.length;
    const last = points[points.length - 1];
    div.querySelector('.info').textContent = last ? `frame ${last.frame}, score ${last.smoothed.toFixed(2)}` : '';
    drawTimeline(div.querySelector('canvas'), points);
  }
}

/**
 * A camera's ignore zones over its latest event's thumbnail (or a blank frame): viewers see them; operators click the
 * corners of a new zone on the picture, name it, and save it as not scored or not alerted, or remove a zone.
 */
async function showZones(div, camera) {
  let panel = div.querySelector('.zones');
  if (panel) { panel.remove(); return; }
  panel = document.createElement('div');
  panel.className = 'zones';
  div.append(panel);
  const url = 'cameras/' + encodeURIComponent(camera) + '/zones';
  const latest = [...events.values()].filter(e => e.camera === camera && e.thumbnailUrl)
      .sort((a, b) => b.startTimeMs - a.startTimeMs)[0];
  const board = document.createElement('div');
  board.className = 'board';
  const picture = document.createElement(latest ? 'img' : 'div');
  if (latest) picture.src = latest.thumbnailUrl; else picture.style.paddingTop = '66%';
  const canvas = document.createElement('canvas');
  board.append(picture, canvas);
  const list = document.createElement('ul');
  panel.append(board, list);
  let zones = await api(url);
  let drawing = [];
  const operator = me.roles.includes('operator');
  function draw() {
    const w = canvas.width = canvas.clientWidth, h = canvas.height = canvas.clientHeight;
    const g = canvas.getContext('2d');
    g.clearRect(0, 0, w, h);
    const shape = (points, color, close) => {
      g.strokeStyle = color; g.fillStyle = color + '40'; g.lineWidth = 2; g.beginPath();
      points.forEach(([x, y], i) => i === 0 ? g.moveTo(x * w, y * h) : g.lineTo(x * w, y * h));
      if (close) { g.closePath(); g.fill(); }
      g.stroke();
    };
    for (const z of zones) shape(z.points, z.mode === 'NOT_SCORED' ? '#6b778c' : '#e8a33d', true);
    if (drawing.length) shape(drawing, '#2f6fdb', false);
    list.replaceChildren(...zones.map(z => {
      const li = document.createElement('li');
      li.textContent = `${z.name}: ${z.mode === 'NOT_SCORED' ? 'not scored' : 'not alerted'}, ${z.points.length} corners`;
      if (operator) {
        const remove = document.createElement('button');
        remove.textContent = 'remove';
        remove.onclick = async () => { await api(url + '/' + encodeURIComponent(z.name), { method: 'DELETE' });
                                       zones = await api(url); draw(); };
        li.append(remove);
      }
      return li;
    }));
    if (operator) {
      const li = document.createElement('li');
      li.className = 'new-zone';
      li.textContent = drawing.length ? `new zone: ${drawing.length} corners ` : 'click the corners of a new zone';
      for (const mode of ['NOT_SCORED', 'NOT_ALERTED']) {
        const save = document.createElement('button');
        save.textContent = mode === 'NOT_SCORED' ? 'save: not scored' : 'save: not alerted';
        save.className = 'save-' + mode.toLowerCase();
        save.disabled = drawing.length < 3;
        save.onclick = async () => {
          const name = prompt('Name of the zone (letters, digits, space . _ -)');
          if (!name) return;
          zones = await api(url + '/' + encodeURIComponent(name), { method: 'PUT',
            headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ mode, points: drawing }) });
          drawing = [];
          draw();
        };
        li.append(save);
      }
      list.append(li);
    }
  }
  if (operator) {
    canvas.onclick = ev => {
      const r = canvas.getBoundingClientRect();
      const clamp = v => Math.round(Math.min(1, Math.max(0, v)) * 1000) / 1000;
      drawing.push([clamp((ev.clientX - r.left) / r.width), clamp((ev.clientY - r.top) / r.height)]);
      draw();
    };
  }
  if (latest) picture.onload = draw;
  draw();
}

let started = false;

async function start() {
  me = await api('auth/me');
  document.getElementById('login').hidden = true;
  document.querySelector('main').hidden = false;
  const user = document.getElementById('user');
  user.textContent = `${me.user} (${me.roles.join(', ')})`;
  if (me.user !== 'open-access') {
    const out = document.createElement('button');
    out.textContent = 'sign out';
    out.id = 'logout';
    out.onclick = logout;
    user.append(out);
  }
  if (started) return;
  started = true;
  settings = await api('settings');
  for (const e of await api('events?limit=200')) events.set(e.id, e);
  renderEvents();
  await refreshCameras();
  setInterval(() => refreshCameras().catch(failed), 2000);
  if (new URLSearchParams(location.search).get('live') === '0') {  // a snapshot: no live stream (screenshots)
    document.getElementById('status').textContent = 'snapshot';
    document.body.dataset.ready = 'true';
    return;
  }
  const source = new EventSource('events/stream');
  source.onopen = () => document.getElementById('status').textContent = 'live';
  // A stream that ends (a token expired, the service restarted) reconnects; a login is asked for when needed.
  source.onerror = () => { document.getElementById('status').textContent = 'reconnecting…';
                           api('auth/me').catch(failed); };
  source.onmessage = m => { const e = JSON.parse(m.data); events.set(e.id, e); renderEvents(); };
  document.body.dataset.ready = 'true';
}
function failed(err) {
  if (err instanceof LoginNeeded) showLogin();
  else document.getElementById('status').textContent = 'error: ' + err.message;
}
start().catch(failed);
