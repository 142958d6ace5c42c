// The call page: consent, WebRTC through the companion server, live captions and the coach panel.
// What each role receives is decided by the server (it sends `coach_side`); this page only shows what arrives.
import { api, byId as $, byTest, clock, el, pct, sessionId, token, withToken } from '/static/common.js';
import { groupTurns } from '/static/facilitator.js';
import { addTile, attachRemote, layoutTiles, showVideo, tileOf } from '/static/call-tiles.js';

const sid = sessionId();
const params = new URLSearchParams(location.search);
// Tests compare audio, so they may ask for the microphone unprocessed; people keep the defaults.
const rawAudio = params.get('raw_audio') === '1';
const joinedKey = `companion-joined-${sid}`;
const apiPath = `/api/sessions/${encodeURIComponent(sid)}`;

const state = { info: null, pc: null, ws: null, ended: false, paused: false, slots: {}, wsRetry: 0,
  coachSide: false, stream: null, log: [] };
window.companionCall = state; // for tests: state.pc.getStats(), state.log

async function start() {
  try {
    state.info = await api(`${apiPath}/live`);
  } catch (e) {
    $('denied').hidden = false;
    return;
  }
  const { info } = state;
  state.coachSide = !!info.you.coach_side;
  $('title').textContent = info.session.title;
  $('call-title').textContent = info.session.title;
  $('you').textContent = `${info.you.name || 'the owner'}${info.you.role ? ` (${info.you.role})` : ''}`;
  explainVoice(info);
  if (info.session.status === 'ended') { ended(); return; }
  showPreviousPlan();
  if (sessionStorage.getItem(joinedKey) === '1') { join(); return; } // a reload rejoins: consent was given
  $('consent').hidden = false;
  $('join').addEventListener('click', join, { once: true });
}

// What happens to this person's voice, in words, whether or not a speech model is installed.
function explainVoice(info) {
  if (info.transcription.available) return;
  $('voice-text').textContent = 'Captions are off for this session: your voice goes to the other people in the call '
    + 'and is not turned into text. How long each person talks is still measured, from the sound alone.';
  if (state.coachSide) {
    $('transcription-note').textContent = 'No speech model is installed on the computer running companion, so there '
      + 'will be no captions or transcript. The call, the clock and the talk balance work as usual. Whoever runs '
      + 'companion can install a model: the message companion printed when it started says how.';
    $('transcription-note').hidden = false;
  }
}

async function showPreviousPlan() {
  // The learning log may offer the previous session's action plan; optional.
  try {
    const body = await api(`${apiPath}/previous-actions`);
    const prev = body.previous || body;
    const actions = ((prev && prev.actions) || []).map((a) => a.what).filter(Boolean);
    if (actions.length) {
      $('previous-plan').textContent = `Last time's actions: ${actions.join('; ')}`;
      $('previous-plan').hidden = false;
    }
  } catch (e) { /* not available */ }
}

// The microphone (and camera) refused: say why in words, and what to do.
function micProblem(e) {
  if (!window.isSecureContext || !navigator.mediaDevices) {
    return 'This browser only allows the microphone on a secure page. Open your link on the computer running '
      + 'companion, or ask whoever runs it to start it with https (companion serve --tls) and send you the new link.';
  }
  const name = e && e.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') {
    return 'Your browser did not allow the microphone. Allow it for this page (the icon at the left of the address '
      + 'bar), then press Join again.';
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError') {
    return 'No microphone was found. Plug one in or choose one in your computer\'s sound settings, then press Join again.';
  }
  if (name === 'NotReadableError' || name === 'AbortError') {
    return 'The microphone is being used by another program, perhaps another call. Close it, then press Join again.';
  }
  return `The microphone could not be used (${e && e.message}). Check it works in another program, then press Join again.`;
}

async function join() {
  $('join-error').textContent = '';
  const { info } = state;
  const video = info.session.mode === 'video';
  let stream;
  const audio = rawAudio ? { echoCancellation: false, noiseSuppression: false, autoGainControl: false } : true;
  let cameraNote = '';
  try {
    if (!navigator.mediaDevices) throw new Error('no media devices');
    stream = await navigator.mediaDevices.getUserMedia({ audio, video });
  } catch (e) {
    try {
      if (!navigator.mediaDevices) throw e;
      stream = await navigator.mediaDevices.getUserMedia({ audio });
      if (video) cameraNote = 'Your camera is not available, so you joined with sound only.';
    } catch (e2) {
      $('consent').hidden = false;
      $('join-error').textContent = micProblem(e2);
      $('join').addEventListener('click', join, { once: true });
      return;
    }
  }
  sessionStorage.setItem(joinedKey, '1');
  $('consent').hidden = true;
  $('call').hidden = false;
  $('end').hidden = !state.coachSide;
  $('coach-panel').hidden = !state.coachSide;
  $('panel-toggle').hidden = !state.coachSide;
  $('call-status').textContent = cameraNote;
  state.stream = stream;
  state.turns = groupTurns({ info, sid, api });
  layoutTiles(info);
  addTile('self', `${info.you.name} (you)`).classList.add('self');
  if (video && stream.getVideoTracks().length) showVideo(tileOf('self'), stream, true);
  connectSocket();
  await connectCall();
}

// -- the call --------------------------------------------------------------------------------
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
    if (slot) attachRemote(slot, new MediaStream([ev.track]));
  };
  pc.onconnectionstatechange = () => {
    const words = { connecting: 'Connecting the call…', disconnected: 'The call was interrupted; reconnecting…',
      failed: 'The call was lost; reconnecting…', closed: '' };
    $('call-status').textContent = pc.connectionState === 'connected' ? '' : (words[pc.connectionState] ?? '');
    if (pc.connectionState === 'failed' && !state.ended) setTimeout(reconnectCall, 1000);
  };
  await pc.setLocalDescription(await pc.createOffer());
  await gatheringDone(pc, 3000);
  try {
    const answer = await api(`${apiPath}/rtc`, { method: 'POST', body: { sdp: pc.localDescription.sdp, type: 'offer' } });
    state.slots = Object.fromEntries(answer.slots.map((s) => [s.mid, s]));
    await pc.setRemoteDescription({ type: answer.type, sdp: answer.sdp });
  } catch (e) {
    $('call-status').textContent = `Could not join the call. ${e.message} Reload the page to try again.`;
  }
}

async function reconnectCall() {
  if (state.ended) return;
  if (state.pc) state.pc.close();
  for (const t of document.querySelectorAll('.tile.remote')) {
    t.querySelectorAll('video, audio').forEach((m) => m.remove());
    t.classList.remove('has-video');
  }
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

// -- the session socket ----------------------------------------------------------------------
function connectSocket() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const ws = new WebSocket(`${scheme}://${location.host}/ws/sessions/${encodeURIComponent(sid)}?token=${encodeURIComponent(token)}`);
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
  stage(m) { showStage(m.stage); if (m.revision) showRevision(m.revision); },
  clock(m) { showClock(m); },
  nudge(m) { addNudge(m.nudge || m, m.t); },
  // Flags are for the review; live, the coach gets the rate-limited nudges only.
  flag() {},
  presence(m) { showPresence(m.participants); },
  paused(m) { setPaused(m.paused, m.by); },
  ended(m) { ended(m); },
};

function handle(m) {
  state.log.push(m); // tests read what arrived
  const h = handlers[m.type];
  if (h) h(m);
  if (state.turns) state.turns.handle(m);
}

// A caption is keyed by its utterance id: interim text (final: false) shows the words so far,
// set apart and hidden from screen readers, and the final text with the same id replaces it.
function addCaption(m) {
  const box = $('captions');
  const key = String(m.id ?? m.index);
  const interim = m.final === false;
  const old = box.querySelector(`[data-caption="${CSS.escape(key)}"]`);
  if (old && old.dataset.final === 'true' && interim) return; // a late interim never replaces the final text
  const p = el('p', { 'data-caption': key, 'data-final': String(!interim), class: interim ? 'interim' : null,
    'aria-hidden': interim ? 'true' : null }, el('strong', { text: `${m.speaker}: ` }));
  if (m.text && (interim || m.transcribed !== false)) {
    p.append(m.text);
  } else {
    p.append(el('span', { class: 'untranscribed', text: state.paused ? '(speaking; transcription paused)' : '(speaking)' }));
  }
  if (old) old.replaceWith(p); else box.append(p);
  while (box.children.length > 200) box.firstChild.remove();
  box.scrollTop = box.scrollHeight;
}

function showBalance(m) {
  const people = m.participants || [];
  const windowMin = m.window_s ? Math.round(m.window_s / 60) : 5;
  const rows = people.map((p) => {
    const share = Math.round((p.talk_share || 0) * 100);
    const recent = p.recent_share === null || p.recent_share === undefined ? '' : `, last ${windowMin} min ${pct(p.recent_share)}`;
    return el('div', { 'data-testid': 'balance-row', class: 'balance-row' },
      el('div', { text: `${p.name}${p.role ? ` (${p.role})` : ''}: ${share}% · ${clock(p.talk_s)}${recent}` }),
      el('div', { class: 'bar', style: `width: ${share}%`, 'aria-hidden': 'true' }));
  });
  $('balance').replaceChildren(...rows);
  // Announced only when a share moves to another tens of percent, so a screen reader is not flooded.
  const summary = people.map((p) => `${p.name} about ${Math.round((p.talk_share || 0) * 10) * 10}%`).join(', ');
  if (summary !== state.balanceSummary) {
    state.balanceSummary = summary;
    $('balance-live').textContent = `Talk balance: ${summary}.`;
  }
}

const STAGE_NAMES = { goal: 'Goal', reality: 'Reality', options: 'Options', will: 'Will' };
function showStage(stage) {
  const text = `Stage: ${STAGE_NAMES[stage] || '–'}`;
  byTest('stage').textContent = text;
  byTest('panel-stage').textContent = text;
}

// A late correction is said, never slipped in: which stretch now reads as another stage.
// The stage clock itself always comes from the server (time since the shown stage's start).
function showRevision(r) {
  const name = (stage) => STAGE_NAMES[stage] || 'no stage';
  const note = byTest('stage-note');
  note.textContent = `Earlier stretch revised: from ${clock(r.start)} it now reads as ${name(r.final)}, `
    + `not ${name(r.shown)}.`;
  note.hidden = false;
}

function showClock(m) {
  const planned = m.planned_s ? ` / ${clock(m.planned_s)}` : '';
  byTest('clock').textContent = `${clock(m.elapsed_s)}${planned}`;
  if (m.stage) showStage(m.stage);
  const st = byTest('stage-time');
  if (m.stage_elapsed_s != null) {
    st.textContent = `${clock(m.stage_elapsed_s)} in this stage${m.stage_planned_s ? ` (plan ${clock(m.stage_planned_s)})` : ''}`;
    st.classList.toggle('over', !!m.stage_planned_s && m.stage_elapsed_s > m.stage_planned_s);
  }
  if (m.paused !== undefined && m.paused !== state.paused) setPaused(m.paused);
}

// -- nudges: in the panel, and as a toast when the panel is out of sight (a phone) -------------------
function panelInView() {
  const panel = $('coach-panel');
  if (panel.hidden || !panel.getClientRects().length) return false;
  const r = panel.getBoundingClientRect();
  return r.bottom > 0 && r.top < window.innerHeight;
}

function addNudge(n, t) {
  const head = `${clock(t)} ${n.title || ''}`.trim();
  const li = el('li', { 'data-testid': 'nudge' }, el('strong', { text: head }), ` ${n.message || ''}`);
  if (n.suggestion) li.append(el('br'), el('em', { class: 'suggestion', text: `Try: ${n.suggestion}` }));
  $('nudges').prepend(li);
  byTest('nudges-empty').hidden = true;
  if (!panelInView()) showToast(`${n.title ? `${n.title}: ` : ''}${n.message || ''}${n.suggestion ? ` Try: ${n.suggestion}` : ''}`);
}

function showToast(text) {
  const toast = $('toast');
  toast.querySelector('.toast-text').textContent = text;
  toast.hidden = false;
  clearTimeout(state.toastTimer);
  state.toastTimer = setTimeout(() => { toast.hidden = true; }, 20000);
}

function setPanelOpen(open) {
  $('call').classList.toggle('panel-open', open);
  $('panel-toggle').setAttribute('aria-expanded', String(open));
  if (open) {
    $('toast').hidden = true;
    $('coach-panel').focus();
  }
}

function showPresence(list) {
  $('presence').replaceChildren(...list.map((p) => {
    const where = p.in_call ? '' : p.online ? ' (connecting)' : ' (not here yet)';
    const tile = tileOf(p.name);
    if (tile) tile.classList.toggle('away', !p.in_call);
    return el('li', { class: p.online || p.in_call ? 'on' : 'off', text: `${p.name}${p.role ? ` (${p.role})` : ''}${where}` });
  }));
}

function setPaused(paused, by) {
  state.paused = paused;
  $('paused-banner').hidden = !paused;
  $('paused-banner').textContent = paused ? `Transcription paused${by ? ` by ${by}` : ''}` : '';
  $('pause').textContent = paused ? 'Resume transcription' : 'Pause transcription';
  $('pause').setAttribute('aria-pressed', String(!!paused));
}

// Reached twice on the coach's page (the End response and the hub's "ended" message):
// a second navigation would abort the first, so only the first one counts.
function ended() {
  if (state.ended) return;
  state.ended = true;
  if (state.pc) state.pc.close();
  if (state.ws) state.ws.close();
  sessionStorage.removeItem(joinedKey);
  const next = state.coachSide ? 'review' : 'log';
  location.assign(withToken(`/sessions/${encodeURIComponent(sid)}/${next}`));
}

async function endForEveryone() {
  $('end-dialog').close();
  $('end').disabled = true;
  $('call-status').textContent = 'Ending the session and preparing the review…';
  try {
    await api(`${apiPath}/end`, { method: 'POST' });
    ended();
  } catch (e) {
    $('end').disabled = false;
    $('call-status').textContent = `The session was not ended. ${e.message}`;
  }
}

$('pause').addEventListener('click', async () => {
  try {
    const m = await api(`${apiPath}/pause`, { method: 'POST', body: { paused: !state.paused } });
    setPaused(m.paused, m.by);
  } catch (e) { $('call-status').textContent = `Transcription was not ${state.paused ? 'resumed' : 'paused'}. ${e.message}`; }
});
$('mute').addEventListener('click', () => {
  const [mic] = state.stream ? state.stream.getAudioTracks() : [];
  if (!mic) return;
  mic.enabled = !mic.enabled;
  $('mute').textContent = mic.enabled ? 'Mute' : 'Unmute';
  $('mute').setAttribute('aria-pressed', String(!mic.enabled));
});
$('captions-toggle').addEventListener('change', (ev) => { $('captions').classList.toggle('off', !ev.target.checked); });
$('end').addEventListener('click', () => $('end-dialog').showModal());
byTest('end-cancel').addEventListener('click', () => $('end-dialog').close());
byTest('end-confirm').addEventListener('click', endForEveryone);
$('panel-toggle').addEventListener('click', () => setPanelOpen(!$('call').classList.contains('panel-open')));
byTest('panel-close').addEventListener('click', () => { setPanelOpen(false); $('panel-toggle').focus(); });
$('coach-panel').addEventListener('keydown', (ev) => { // Escape closes the phone's panel sheet
  if (ev.key === 'Escape' && $('call').classList.contains('panel-open')) { setPanelOpen(false); $('panel-toggle').focus(); }
});
byTest('toast-open').addEventListener('click', () => setPanelOpen(true));
byTest('toast-close').addEventListener('click', () => { $('toast').hidden = true; });
$('coach-panel').tabIndex = -1;

start();
