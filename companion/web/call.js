// The call page: consent, WebRTC through the companion server, live captions and the coach panel.
// What each role receives is decided by the server; this page only shows what arrives.
const sid = location.pathname.split('/').filter(Boolean)[1];
const params = new URLSearchParams(location.search);
const token = params.get('token') || '';
// Tests compare audio, so they may ask for the microphone unprocessed; people keep the defaults.
const rawAudio = params.get('raw_audio') === '1';
const auth = { Authorization: `Bearer ${token}` };
const $ = (id) => document.getElementById(id);
const joinedKey = `companion-joined-${sid}`;

const state = { info: null, pc: null, ws: null, ended: false, paused: false, slots: {}, wsRetry: 0,
  captions: [], coachSide: false };
window.companionCall = state; // for tests: state.pc.getStats()

function fmt(s) {
  if (s == null) return '–';
  s = Math.max(0, Math.round(s));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

async function api(path, options = {}) {
  const res = await fetch(path, { ...options, headers: { ...auth, 'Content-Type': 'application/json', ...(options.headers || {}) } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error || `HTTP ${res.status}`);
  return body;
}

async function start() {
  try {
    state.info = await api(`/api/sessions/${sid}/live`);
  } catch (e) {
    $('denied').hidden = false;
    return;
  }
  const { info } = state;
  state.coachSide = info.you.coach_side;
  $('title').textContent = info.session.title;
  $('call-title').textContent = info.session.title;
  $('you').textContent = `${info.you.name || 'the owner'}${info.you.role ? ` (${info.you.role})` : ''}`;
  if (!info.transcription.available && info.transcription.note) {
    $('transcription-note').textContent = 'No captions on this machine yet: ' + info.transcription.note;
    $('transcription-note').hidden = false;
  }
  if (info.session.status === 'ended') { ended(); return; }
  showPreviousPlan();
  if (sessionStorage.getItem(joinedKey) === '1') { join(); return; } // a reload rejoins: consent was given
  $('consent').hidden = false;
  $('join').addEventListener('click', join, { once: true });
}

async function showPreviousPlan() {
  // The learning log may offer the previous session's action plan; optional.
  try {
    const res = await fetch(`/api/sessions/${sid}/previous-actions`, { headers: auth });
    if (!res.ok) return;
    const body = await res.json();
    const prev = body.previous || body;
    const actions = ((prev && prev.actions) || []).map((a) => a.what).filter(Boolean);
    if (actions.length) {
      $('previous-plan').textContent = `Last time's actions: ${actions.join('; ')}`;
      $('previous-plan').hidden = false;
    }
  } catch (e) { /* not available */ }
}

async function join() {
  $('join-error').textContent = '';
  const { info } = state;
  const video = info.session.mode === 'video';
  let stream;
  const audio = rawAudio ? { echoCancellation: false, noiseSuppression: false, autoGainControl: false } : true;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio, video });
  } catch (e) {
    try { stream = await navigator.mediaDevices.getUserMedia({ audio }); } catch (e2) {
      $('consent').hidden = false;
      $('join-error').textContent = `The microphone is not available (${e2.message}). On another machine the page must be opened over https (companion serve --tls).`;
      $('join').addEventListener('click', join, { once: true });
      return;
    }
  }
  sessionStorage.setItem(joinedKey, '1');
  $('consent').hidden = true;
  $('call').hidden = false;
  $('end').hidden = !(info.you.role === 'coach' || info.you.role === 'facilitator');
  $('coach-panel').hidden = !state.coachSide;
  state.stream = stream;
  addTile('self', `${info.you.name} (you)`, video ? stream : null, true);
  connectSocket();
  await connectCall();
}

async function connectCall() {
  const { info, stream } = state;
  const video = info.session.mode === 'video';
  const others = info.participants.filter((p) => p.name !== info.you.name);
  const pc = new RTCPeerConnection({ iceServers: info.ice_servers || [] });
  state.pc = pc;
  // The server's contract: own audio (and video) first, then one receiving slot per other participant.
  const [mic] = stream.getAudioTracks();
  pc.addTransceiver(mic, { direction: 'sendonly', streams: [stream] });
  if (video) {
    const [cam] = stream.getVideoTracks();
    if (cam) pc.addTransceiver(cam, { direction: 'sendonly', streams: [stream] });
    else pc.addTransceiver('video', { direction: 'inactive' });
  }
  for (let i = 0; i < others.length; i++) {
    pc.addTransceiver('audio', { direction: 'recvonly' });
    if (video) pc.addTransceiver('video', { direction: 'recvonly' });
  }
  pc.ontrack = (ev) => {
    const slot = state.slots[ev.transceiver.mid];
    if (!slot) return;
    const ms = new MediaStream([ev.track]);
    attachRemote(slot, ms);
  };
  pc.onconnectionstatechange = () => {
    $('call-status').textContent = pc.connectionState === 'connected' ? '' : `Call: ${pc.connectionState}`;
    if (pc.connectionState === 'failed' && !state.ended) setTimeout(reconnectCall, 1000);
  };
  await pc.setLocalDescription(await pc.createOffer());
  await gatheringDone(pc, 3000);
  try {
    const answer = await api(`/api/sessions/${sid}/rtc`, { method: 'POST', body: JSON.stringify({ sdp: pc.localDescription.sdp, type: 'offer' }) });
    state.slots = Object.fromEntries(answer.slots.map((s) => [s.mid, s]));
    await pc.setRemoteDescription({ type: answer.type, sdp: answer.sdp });
  } catch (e) {
    $('call-status').textContent = `Could not join the call: ${e.message}`;
  }
}

async function reconnectCall() {
  if (state.ended) return;
  if (state.pc) state.pc.close();
  document.querySelectorAll('.tile.remote').forEach((t) => t.remove());
  await connectCall();
}

function gatheringDone(pc, ms) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') { clearTimeout(timer); resolve(); }
    });
  });
}

function addTile(key, label, stream, muted) {
  let tile = document.querySelector(`[data-tile="${CSS.escape(key)}"]`);
  if (!tile) {
    tile = document.createElement('div');
    tile.className = 'tile' + (key === 'self' ? '' : ' remote');
    tile.dataset.tile = key;
    tile.dataset.testid = `tile-${key}`;
    const who = document.createElement('div');
    who.className = 'who';
    who.textContent = label;
    tile.append(who);
    $('tiles').append(tile);
  }
  if (stream && stream.getVideoTracks().length) {
    const v = document.createElement('video');
    v.autoplay = true; v.playsInline = true; v.muted = muted; v.srcObject = stream;
    tile.append(v);
  } else if (!stream || !stream.getAudioTracks().length) {
    tile.classList.add('audio-only');
  }
  return tile;
}

function attachRemote(slot, stream) {
  const tile = addTile(slot.name, `${slot.name}${slot.role ? ` (${slot.role})` : ''}`, slot.kind === 'video' ? stream : null, false);
  if (slot.kind === 'audio') {
    tile.querySelectorAll('audio').forEach((a) => a.remove());
    const a = document.createElement('audio');
    a.autoplay = true; a.srcObject = stream;
    tile.append(a);
    if (state.info.session.mode !== 'video') tile.classList.add('audio-only');
  } else {
    tile.querySelectorAll('video').forEach((v, i, all) => { if (i < all.length - 1) v.remove(); });
  }
}

// -- the session socket ---------------------------------------------------------------------
function connectSocket() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const ws = new WebSocket(`${scheme}://${location.host}/ws/sessions/${sid}?token=${encodeURIComponent(token)}`);
  state.ws = ws;
  ws.onmessage = (ev) => { state.wsRetry = 0; handle(JSON.parse(ev.data)); };
  ws.onclose = () => {
    if (state.ended) return;
    state.wsRetry = Math.min(state.wsRetry + 1, 5);
    setTimeout(connectSocket, 500 * state.wsRetry);
  };
}

const handlers = {
  hello(m) { setPaused(m.paused); $('captions').replaceChildren(); },
  caption(m) { addCaption(m); },
  // Recognition fell behind and skipped speech: say so (it still counts for talk time).
  transcription(m) { $('transcription-note').textContent = m.message; $('transcription-note').hidden = false; },
  balance(m) { showBalance(m); },
  stage(m) { showStage(m.stage); },
  clock(m) { showClock(m); },
  nudge(m) { addNudge(m.nudge || m, m.t); },
  // Flags are for the review; live, the coach gets the rate-limited nudges only.
  flag() {},
  presence(m) { showPresence(m.participants); },
  paused(m) { setPaused(m.paused, m.by); },
  ended(m) { ended(m); },
};

function handle(m) {
  (state.log = state.log || []).push(m); // tests read what arrived
  const h = handlers[m.type];
  if (h) h(m);
}

function addCaption(m) {
  const box = $('captions');
  const p = document.createElement('p');
  // Interim captions (final: false) show the words so far; the final one with the same id replaces them.
  const key = m.id || `u${m.index}`;
  p.dataset.id = key;
  if (m.index !== undefined) p.dataset.index = m.index;
  if (m.final === false) p.className = 'interim';
  const who = document.createElement('strong');
  who.textContent = `${m.speaker}: `;
  p.append(who);
  if (m.transcribed && m.text) {
    p.append(document.createTextNode(m.text));
  } else {
    const span = document.createElement('span');
    span.className = 'untranscribed';
    span.textContent = state.paused ? '(speaking; transcription paused)' : '(speaking)';
    p.append(span);
  }
  box.querySelector(`[data-id="${CSS.escape(key)}"]`)?.remove();
  box.append(p);
  while (box.children.length > 200) box.firstChild.remove();
  box.scrollTop = box.scrollHeight;
}

function showBalance(m) {
  const rows = (m.participants || []).map((p) => {
    const div = document.createElement('div');
    div.dataset.testid = 'balance-row';
    const label = document.createElement('div');
    label.textContent = `${p.name}${p.role ? ` (${p.role})` : ''}: ${Math.round((p.talk_share || 0) * 100)}% · ${fmt(p.talk_s)}`;
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.style.width = `${Math.round((p.talk_share || 0) * 100)}%`;
    div.append(label, bar);
    return div;
  });
  $('balance').replaceChildren(...rows);
}

const STAGE_NAMES = { goal: 'Goal', reality: 'Reality', options: 'Options', will: 'Will' };
function showStage(stage) {
  const text = `Stage: ${STAGE_NAMES[stage] || '–'}`;
  document.querySelector('[data-testid="stage"]').textContent = text;
  document.querySelector('[data-testid="panel-stage"]').textContent = text;
}

function showClock(m) {
  const planned = m.planned_s ? ` / ${fmt(m.planned_s)}` : '';
  document.querySelector('[data-testid="clock"]').textContent = `${fmt(m.elapsed_s)}${planned}`;
  if (m.stage) showStage(m.stage);
  const st = document.querySelector('[data-testid="stage-time"]');
  if (m.stage_elapsed_s != null) {
    st.textContent = `${fmt(m.stage_elapsed_s)} in this stage${m.stage_planned_s ? ` (plan ${fmt(m.stage_planned_s)})` : ''}`;
    st.classList.toggle('over', !!m.stage_planned_s && m.stage_elapsed_s > m.stage_planned_s);
  }
  if (m.paused !== undefined && m.paused !== state.paused) setPaused(m.paused);
}

function addNudge(n, t) {
  const li = document.createElement('li');
  li.dataset.testid = 'nudge';
  const head = document.createElement('strong');
  head.textContent = `${fmt(t)} ${n.title || ''}`.trim();
  const message = document.createElement('span');
  message.textContent = ` ${n.message || ''}`;
  li.append(head, message);
  if (n.suggestion) {
    const ask = document.createElement('em');
    ask.className = 'suggestion';
    ask.textContent = `Try: ${n.suggestion}`;
    li.append(document.createElement('br'), ask);
  }
  $('nudges').prepend(li);
}

function showPresence(list) {
  $('presence').replaceChildren(...list.map((p) => {
    const li = document.createElement('li');
    li.className = p.online || p.in_call ? 'on' : 'off';
    li.textContent = `${p.name}${p.role ? ` (${p.role})` : ''}${p.in_call ? '' : p.online ? ' (connecting)' : ' (away)'}`;
    return li;
  }));
}

function setPaused(paused, by) {
  state.paused = paused;
  $('paused-banner').hidden = !paused;
  $('paused-banner').textContent = paused ? `Transcription paused${by ? ` by ${by}` : ''}` : '';
  $('pause').textContent = paused ? 'Resume transcription' : 'Pause transcription';
}

// Reached twice on the coach's page (the End response and the hub's "ended" message):
// a second navigation would abort the first, so only the first one counts.
function ended(m) {
  if (state.ended) return;
  state.ended = true;
  if (state.pc) state.pc.close();
  if (state.ws) state.ws.close();
  sessionStorage.removeItem(joinedKey);
  const role = state.info && state.info.you.role;
  const q = token ? `?token=${encodeURIComponent(token)}` : '';
  location.assign(role === 'coachee' || role === 'member' ? `/sessions/${sid}/log${q}` : `/sessions/${sid}/review${q}`);
}

$('pause').addEventListener('click', async () => {
  try {
    const m = await api(`/api/sessions/${sid}/pause`, { method: 'POST', body: JSON.stringify({ paused: !state.paused }) });
    setPaused(m.paused, m.by);
  } catch (e) { $('call-status').textContent = `Could not change the pause: ${e.message}`; }
});
$('mute').addEventListener('click', () => {
  const [mic] = state.stream ? state.stream.getAudioTracks() : [];
  if (!mic) return;
  mic.enabled = !mic.enabled;
  $('mute').textContent = mic.enabled ? 'Mute' : 'Unmute';
});
$('captions-toggle').addEventListener('change', (ev) => { $('captions').classList.toggle('off', !ev.target.checked); });
$('end').addEventListener('click', async () => {
  $('end').disabled = true;
  $('call-status').textContent = 'Ending the session and preparing the review…';
  try {
    await api(`/api/sessions/${sid}/end`, { method: 'POST' });
    ended();
  } catch (e) {
    $('end').disabled = false;
    $('call-status').textContent = `Could not end the session: ${e.message}`;
  }
});

start();
