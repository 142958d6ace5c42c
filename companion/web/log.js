// The coachee's learning-log editor, and the read-only page the coach side sees once it is shared. The page holds no data: everything comes from
// /api/sessions/{id}/log with the token in this page's address (or the owner cookie).
// A save that fails (network, conflict) never touches what is in the form.

const sid = location.pathname.split('/')[2];
const token = new URLSearchParams(location.search).get('token');
const participant = new URLSearchParams(location.search).get('participant'); // whose log, in a group
const $ = (sel) => document.querySelector(sel);
const byTest = (id) => document.querySelector(`[data-testid="${id}"]`);
const form = byTest('log-form');
const SMART = [['specific', 'Specific'], ['measurable', 'Measurable'], ['achievable', 'Achievable'],
  ['relevant', 'Relevant'], ['time_bound', 'Time-bound']];
const MISSING_HINT = {
  specific: 'what exactly you want', measurable: 'how you will know you got there',
  achievable: 'whether it is in your reach', relevant: 'why it matters to you', time_bound: 'by when',
};

const state = { log: null, dirty: false, conflict: null, canEdit: false };

function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const who = participant ? `${path.includes('?') ? '&' : '?'}participant=${encodeURIComponent(participant)}` : '';
  return fetch(`/api/sessions/${sid}${path}${who}`, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
}

function withToken(path) {
  const q = new URLSearchParams({ ...(token ? { token } : {}), ...(participant ? { participant } : {}) }).toString();
  return q ? `${path}?${q}` : path;
}

function say(text, kind = 'info') {
  const m = byTest('message');
  m.textContent = text;
  m.className = `message ${kind}`;
}

function clock(s) {
  s = Math.round(s || 0);
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  Object.assign(e, props);
  for (const c of children) e.append(c);
  return e;
}

// A "said at" button that shows the transcript lines an item was drafted from.
function sourceWidget(source) {
  const box = el('div', { className: 'src-box' });
  if (!source || !source.quotes) return box;
  const quote = el('blockquote', { className: 'quote', hidden: true });
  quote.dataset.testid = 'source-quote';
  for (const q of source.quotes) {
    quote.append(el('div', { textContent: `${q.speaker} (${clock(q.start)}): ${q.text}` }));
  }
  const btn = el('button', { type: 'button', className: 'link', textContent: `Said at ${clock(source.start)}` });
  btn.dataset.testid = 'source';
  btn.setAttribute('aria-expanded', 'false');
  btn.addEventListener('click', () => {
    quote.hidden = !quote.hidden;
    btn.setAttribute('aria-expanded', String(!quote.hidden));
  });
  box.append(btn, quote);
  return box;
}

function setSource(name, source) {
  const slot = form.querySelector(`.src[data-for="${name}"]`);
  slot.replaceChildren(sourceWidget(source));
  slot.source = source || null;
}

function removeButton(li) {
  const b = el('button', { type: 'button', className: 'secondary small', textContent: 'Remove' });
  b.dataset.testid = 'remove';
  b.addEventListener('click', () => { li.remove(); changed(); });
  return b;
}

function itemRow(kind, item = {}) {
  const li = el('li');
  li.source = item.source || null;
  const row = el('div', { className: 'row' });
  if (kind === 'actions') {
    for (const [name, label] of [['what', 'What'], ['when', 'By when'], ['who', 'Who can help']]) {
      const input = el('input', { name, value: item[name] || '', placeholder: label });
      input.setAttribute('aria-label', label);
      input.dataset.testid = `action-${name}`;
      row.append(input);
    }
    li.due = item.due || null;
    li.owner = item.owner || null;
  } else {
    const ta = el('textarea', { name: 'text', rows: 2, value: item.text || '' });
    ta.setAttribute('aria-label', kind === 'reality' ? 'Reality point' : 'Option');
    ta.dataset.testid = `${kind}-text`;
    row.append(ta);
    li.ideaOf = item.idea_of || null;
    if (li.ideaOf) {
      const tag = el('span', { className: 'idea-of', textContent: `${li.ideaOf}'s idea, which you took up` });
      tag.dataset.testid = 'idea-of';
      row.append(tag);
    }
  }
  row.append(removeButton(li));
  li.append(row, sourceWidget(item.source));
  return li;
}

function renderList(kind, items) {
  byTest(`list-${kind}`).replaceChildren(...(items || []).map((it) => itemRow(kind, it)));
}

function renderSmart(smart) {
  const box = byTest('smart');
  box.replaceChildren(el('legend', { textContent: 'SMART check' }));
  for (const [key, label] of SMART) {
    const input = el('input', { type: 'checkbox', name: `smart-${key}`, checked: !!(smart && smart[key]) });
    input.dataset.testid = `smart-${key}`;
    box.append(el('label', {}, input, label));
  }
  renderMissing();
}

function renderMissing() {
  const missing = SMART.map(([k]) => k).filter((k) => !form.querySelector(`[name="smart-${k}"]`).checked);
  byTest('smart-missing').textContent = missing.length
    ? `Not said yet: ${missing.map((k) => MISSING_HINT[k]).join('; ')}.` : 'All five are covered.';
}

function renderQuestions(questions) {
  const section = byTest('key-questions');
  section.hidden = !(questions && questions.length);
  const box = section.querySelector('.questions');
  box.replaceChildren(...(questions || []).map((q) => {
    const div = el('div', { className: 'question' });
    div.key = q.key;
    div.source = q.source || null;
    const ta = el('textarea', { name: 'answer', rows: 2, value: q.answer || '' });
    ta.setAttribute('aria-label', q.question);
    ta.dataset.testid = `question-${q.key}`;
    div.append(el('label', { textContent: q.question }), ta, sourceWidget(q.source));
    return div;
  }));
}

function renderForm(log) {
  form.date.value = log.date || '';
  form.members.value = (log.members_present || []).join(', ');
  form.facilitator.value = log.facilitator || '';
  form.content.value = log.content || '';
  form.evaluation.value = log.evaluation || '';
  setSource('content', log.content_source);
  setSource('evaluation', log.evaluation_source);
  form.goal.value = log.goal ? log.goal.text : '';
  setSource('goal', log.goal && log.goal.source);
  renderSmart(log.goal && log.goal.smart);
  renderList('reality', log.reality);
  renderList('options', log.options);
  renderList('actions', log.actions);
  renderQuestions(log.key_questions);
  for (const f of form.querySelectorAll('input, textarea, button')) {
    if (!f.closest('.src-box')) f.disabled = !state.canEdit;
  }
}

function renderMeta() {
  const log = state.log;
  byTest('log-owner').textContent = `${log.participant}'s log${log.date ? `, session of ${log.date}` : ''}`;
  const badge = byTest('log-status');
  badge.textContent = log.status;
  badge.className = `badge ${log.status}`;
  byTest('log-version').textContent = `version ${log.version}`;
  byTest('approve').disabled = !state.canEdit || log.status !== 'draft';
  byTest('share').disabled = !state.canEdit || log.status !== 'approved';
  byTest('export-md').href = withToken(`/api/sessions/${sid}/log/export.md`);
  byTest('print').href = withToken(`/sessions/${sid}/log/print`);
  renderReshare();
}

// After an edit to a shared log the coach keeps the shared version; ask whether to share this one.
function renderReshare() {
  const log = state.log;
  const box = byTest('reshare');
  box.hidden = !(state.canEdit && log.shared_version && log.shared_version !== log.version);
  if (box.hidden) return;
  byTest('reshare-text').textContent = `You changed your log after sharing it. Your coach still sees version `
    + `${log.shared_version}, not this one (version ${log.version}). Share this version with your coach too?`;
}

async function reshare() {
  if (state.log.status === 'draft') await statusChange('approve', 'approved');
  if (state.log.status === 'approved') await statusChange('share', 'shared');
}

// The read-only page the coach (or anyone the owner shared it with) sees: text, no edit controls.
function renderView(log) {
  const view = byTest('log-view');
  const section = (title, ...body) => el('section', {}, el('h2', { textContent: title }), ...body);
  const list = (items, text) => (items && items.length
    ? el('ul', {}, ...items.map((i) => el('li', {}, text(i), sourceWidget(i.source))))
    : el('p', { textContent: '-' }));
  const header = el('dl', { className: 'log-header' });
  for (const [k, v] of [['Date', log.date], ['Members present', (log.members_present || []).join(', ')],
    ['Facilitator', log.facilitator], ['Version', `${log.version}, shared ${(log.shared_at || '').slice(0, 10)}`]]) {
    header.append(el('dt', { textContent: k }), el('dd', { textContent: v || '-' }));
  }
  const goal = log.goal;
  const smart = goal && goal.smart ? SMART.map(([k, label]) => `${label}: ${goal.smart[k] ? 'yes' : 'not yet'}`)
    .join(' · ') : '';
  const table = el('table', {}, el('thead', {}, el('tr', {}, ...['What', 'By when', 'Whose', 'Who can help']
    .map((h) => el('th', { textContent: h })))));
  const body = el('tbody');
  for (const a of log.actions || []) {
    body.append(el('tr', {}, ...[a.what, a.when ? `${a.when}${a.due ? ` (${a.due})` : ''}` : (a.due || '-'),
      a.owner || '-', a.who || '-'].map((c) => el('td', { textContent: c || '-' }))));
  }
  table.append(body);
  view.replaceChildren(
    header,
    section('Content', el('p', { textContent: log.content || '-' })),
    section('Goal', el('p', { textContent: goal ? goal.text : '-' }), el('p', { className: 'hint', textContent: smart }),
      sourceWidget(goal && goal.source)),
    section('Reality', list(log.reality, (i) => i.text)),
    section('Options', list(log.options, (i) => `${i.text}${i.idea_of ? ` (${i.idea_of}'s idea)` : ''}`)),
    section('Action plan', (log.actions || []).length ? table : el('p', { textContent: '-' })),
    ...((log.key_questions || []).length ? [section('Key questions', list(log.key_questions,
      (q) => `${q.question} ${q.answer || '-'}`))] : []),
    section('Evaluation', el('p', { textContent: log.evaluation || '-' })),
  );
  view.hidden = false;
}

const srcOf = (node) => (node && node.source ? { utterances: node.source.utterances } : null);

function collect() {
  const items = (kind) => [...byTest(`list-${kind}`).children].map((li) => ({
    text: li.querySelector('textarea').value, source: srcOf(li), ...(li.ideaOf ? { idea_of: li.ideaOf } : {}),
  }));
  const goalText = form.goal.value.trim();
  const smart = Object.fromEntries(SMART.map(([k]) => [k, form.querySelector(`[name="smart-${k}"]`).checked]));
  return {
    date: form.date.value,
    members_present: form.members.value.split(',').map((s) => s.trim()).filter(Boolean),
    facilitator: form.facilitator.value || null,
    content: form.content.value,
    content_source: srcOf(form.querySelector('.src[data-for="content"]')),
    evaluation: form.evaluation.value,
    evaluation_source: srcOf(form.querySelector('.src[data-for="evaluation"]')),
    goal: goalText ? { text: goalText, smart, source: srcOf(form.querySelector('.src[data-for="goal"]')) } : null,
    reality: items('reality'),
    options: items('options'),
    actions: [...byTest('list-actions').children].map((li) => ({
      what: li.querySelector('[name="what"]').value,
      when: li.querySelector('[name="when"]').value,
      who: li.querySelector('[name="who"]').value,
      due: li.due,
      owner: li.owner,
      source: srcOf(li),
    })),
    key_questions: [...byTest('key-questions').querySelectorAll('.question')].map((q) => ({
      key: q.key, answer: q.querySelector('textarea').value, source: srcOf(q),
    })),
  };
}

function changed() {
  if (!state.canEdit) return;
  state.dirty = true;
  say('Unsaved changes.');
  byTest('approve').disabled = false; // approving saves first
}

async function readError(res) {
  const body = await res.json().catch(() => ({}));
  return { body, text: body.error || `${res.status} ${res.statusText}` };
}

async function save() {
  const body = { ...collect(), version: state.log.version };
  say('Saving…');
  let res;
  try {
    res = await api('PUT', '/log', body);
  } catch (e) {
    say('Not saved: the companion server could not be reached. Your text is still here; try again.', 'error');
    return false;
  }
  if (res.status === 409) {
    const { body: err, text } = await readError(res);
    state.conflict = err.current || null;
    byTest('conflict').hidden = !state.conflict;
    say(`Not saved: ${text}`, 'error');
    return false;
  }
  if (!res.ok) {
    const { text } = await readError(res);
    say(`Not saved: ${text}. Your text is still here.`, 'error');
    return false;
  }
  state.log = await res.json();
  state.dirty = false;
  state.conflict = null;
  byTest('conflict').hidden = true;
  renderForm(state.log);
  renderMeta();
  say(`Saved as version ${state.log.version}.`);
  loadVersions();
  return true;
}

async function statusChange(action, done) {
  if (state.dirty && !(await save())) return;
  let res;
  try {
    res = await api('POST', `/log/${action}`, { version: state.log.version });
  } catch (e) {
    say(`Not ${done}: the companion server could not be reached.`, 'error');
    return;
  }
  if (!res.ok) {
    const { body, text } = await readError(res);
    if (res.status === 409 && body.current) {
      state.conflict = body.current;
      byTest('conflict').hidden = false;
    }
    say(`Not ${done}: ${text}`, 'error');
    return;
  }
  state.log = await res.json();
  renderMeta();
  say(action === 'approve' ? 'Approved. You can now share it with your coach, if you want to.'
    : 'Shared: your coach can now read this version. If you edit it again, your coach keeps this version '
      + 'until you share the new one.');
  loadVersions();
}

function describe(log) {
  const lines = [`Content: ${log.content || '-'}`, `Goal: ${log.goal ? log.goal.text : '-'}`];
  for (const p of log.reality || []) lines.push(`Reality: ${p.text}`);
  for (const o of log.options || []) lines.push(`Option: ${o.text}`);
  for (const a of log.actions || []) lines.push(`Action: ${a.what} (${a.when || 'no date'}; ${a.who || 'no helper'})`);
  for (const q of log.key_questions || []) lines.push(`${q.question} ${q.answer || '-'}`);
  lines.push(`Evaluation: ${log.evaluation || '-'}`);
  return lines.join('\n');
}

function showVersion(log, title) {
  const view = byTest('version-view');
  view.hidden = false;
  byTest('versions-section').hidden = false;
  view.replaceChildren(el('h3', { textContent: title }), el('pre', { textContent: describe(log) }));
}

async function viewVersion(n) {
  const res = await api('GET', `/log/versions/${n}`).catch(() => null);
  if (!res || !res.ok) { say(`Could not load version ${n}.`, 'error'); return; }
  const log = await res.json();
  showVersion(log, `Version ${n} (${log.status}, ${(log.updated_at || '').replace('T', ' ').slice(0, 16)})`);
}

async function loadVersions() {
  if (!state.canEdit) return;
  const res = await api('GET', '/log/versions').catch(() => null);
  if (!res || !res.ok) return;
  const versions = await res.json();
  byTest('versions-section').hidden = false;
  byTest('versions').replaceChildren(...versions.slice().reverse().map((v) => {
    const b = el('button', { type: 'button', className: 'secondary small', textContent: 'View' });
    b.dataset.testid = `view-version-${v.version}`;
    b.addEventListener('click', () => viewVersion(v.version));
    return el('li', {}, `Version ${v.version}: ${v.event}, ${v.status}, ${(v.created_at || '').replace('T', ' ').slice(0, 16)}`, b);
  }));
}

async function loadPrevious() {
  const res = await api('GET', '/previous-actions').catch(() => null);
  if (!res || !res.ok) return;
  const { previous } = await res.json();
  if (!previous || !previous.actions.length) return;
  const section = byTest('previous-actions');
  section.querySelector('h2').textContent = `Last time (${previous.session.date || previous.session.title}) you planned`;
  const STATUS = { done: 'Done', partly: 'Partly done', 'not yet': 'Not yet', dropped: 'Dropped' };
  section.querySelector('ul').replaceChildren(...previous.actions.map((a) => {
    const li = el('li', { textContent: `${a.what}${a.when ? `, ${a.when}` : ''}${a.who ? ` (with ${a.who})` : ''}` });
    const back = a.report_back;
    if (back) {
      const p = el('p', { className: 'report-back', textContent: `${STATUS[back.status] || 'Mentioned'}: "${back.text}"` });
      p.dataset.testid = 'report-back';
      li.append(p, sourceWidget(back.source));
    }
    return li;
  }));
  section.hidden = false;
}

async function load() {
  let res;
  try {
    res = await api('GET', '/log');
  } catch (e) {
    say('The companion server could not be reached.', 'error');
    return;
  }
  if (!res.ok) {
    const { text } = await readError(res);
    // The lead speaks to the log's owner; someone else who opens it reads why they cannot see it yet.
    if (res.status === 403) byTest('log-lead').hidden = true;
    // Not shared yet: the owner may still share it. Another refusal (a member asking for someone
    // else's log): the server's reason, as it is.
    const unshared = res.status === 403 && /private until/.test(text);
    say(unshared ? 'This learning log belongs to the coachee. You can read it here once they approve it '
      + 'and choose to share it with you; until then it stays private.'
      : (res.status === 403 ? `This log cannot be opened: ${text.replace(/^forbidden: /, '')}.` : text), 'error');
    return;
  }
  state.log = await res.json();
  state.canEdit = !!state.log.can_edit;
  byTest('toolbar').hidden = false;
  if (!state.canEdit) {
    // Read only: a page to read, print or export; no form and no edit controls at all.
    for (const id of ['save', 'approve', 'share']) byTest(id).remove();
    form.remove();
    byTest('log-lead').textContent = `Shared with you by ${state.log.participant}. This is the version they shared.`;
    renderView(state.log);
    byTest('log-owner').textContent = `${state.log.participant}'s log${state.log.date ? `, session of ${state.log.date}` : ''}`;
    byTest('log-version').textContent = `version ${state.log.version}`;
    byTest('log-status').textContent = state.log.status;
    byTest('export-md').href = withToken(`/api/sessions/${sid}/log/export.md`);
    byTest('print').href = withToken(`/sessions/${sid}/log/print`);
    say('');
    return;
  }
  form.hidden = false;
  renderForm(state.log);
  renderMeta();
  say('');
  loadVersions();
  if (state.canEdit) loadPrevious();
}

form.addEventListener('input', (e) => {
  if (e.target.name && e.target.name.startsWith('smart-')) renderMissing();
  changed();
});
form.addEventListener('submit', (e) => { e.preventDefault(); save(); });
for (const btn of form.querySelectorAll('[data-add]')) {
  btn.addEventListener('click', () => {
    const kind = btn.dataset.add;
    const li = itemRow(kind);
    byTest(`list-${kind}`).append(li);
    li.querySelector('input, textarea').focus();
    changed();
  });
}
byTest('save').addEventListener('click', save);
byTest('approve').addEventListener('click', () => statusChange('approve', 'approved'));
byTest('share').addEventListener('click', () => statusChange('share', 'shared'));
byTest('reshare-button').addEventListener('click', reshare);
byTest('show-theirs').addEventListener('click', () => {
  if (state.conflict) showVersion(state.conflict, `The saved version ${state.conflict.version} (yours is still in the form)`);
});
byTest('save-mine').addEventListener('click', () => {
  if (!state.conflict) return;
  state.log.version = state.conflict.version; // explicitly chosen: replace theirs with this text
  save();
});
window.addEventListener('beforeunload', (e) => {
  if (state.dirty) { e.preventDefault(); e.returnValue = ''; }
});
load();
