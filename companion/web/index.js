// Owner home: a new session's form, and the stored sessions, newest first (the owner cookie
// authenticates). A scheduled or live session shows its people's links again, with a way to
// issue someone a new link when theirs went astray.
import { api, byId, byTest, el, linkRow } from '/static/common.js';

const tbody = byTest('session-list').querySelector('tbody');
const STATUS = { scheduled: 'Scheduled', live: 'Live now', ended: 'Ended' };

async function showLinks(s, box, button) {
  box.replaceChildren(el('p', { class: 'hint', text: 'Loading the links…' }));
  let data;
  try {
    data = await api(`/api/sessions/${encodeURIComponent(s.id)}/links`);
  } catch (e) {
    box.replaceChildren(el('p', { class: 'error', role: 'alert', text: `The links could not be shown. ${e.message}` }));
    return;
  }
  const list = el('ul', { class: 'links' }, data.participants.map((p, i) => {
    const renew = el('button', { type: 'button', class: 'secondary', 'data-testid': 'renew-link',
      'data-name': p.name, text: 'New link' });
    const row = linkRow(p, `${s.id}-${i}`, [renew]);
    row.dataset.testid = 'list-link';
    row.dataset.name = p.name;
    renew.addEventListener('click', () => renewLink(s, p, row));
    return row;
  }));
  box.replaceChildren(el('p', { class: 'hint', text: 'Each person has their own link. If one was lost or sent to '
    + 'the wrong person, give that person a new link: the old one stops working.' }), list,
  el('p', { class: 'status', role: 'status', 'data-testid': 'links-status' }));
  button.setAttribute('aria-expanded', 'true');
}

async function renewLink(s, p, row) {
  if (!window.confirm(`Give ${p.name} a new link? Their old link stops working at once.`)) return;
  const status = row.closest('.row-links').querySelector('[data-testid="links-status"]');
  try {
    const fresh = await api(`/api/sessions/${encodeURIComponent(s.id)}/links/renew`, { method: 'POST', body: { name: p.name } });
    const input = row.querySelector('input');
    input.value = fresh.link;
    row.querySelector('a').href = fresh.link;
    status.textContent = `${p.name} has a new link; send it to them. The old one no longer opens the session.`;
  } catch (e) {
    status.textContent = `No new link was made. ${e.message}`;
  }
}

function sessionRow(s) {
  const cells = [
    el('td', { 'data-label': 'When', text: (s.created_at || '').slice(0, 16).replace('T', ' ') }),
    el('td', { 'data-label': 'Title', text: s.title }),
    el('td', { 'data-label': 'People', text: s.participants.map((p) => `${p.name} (${p.role || '-'})`).join(', ') }),
    el('td', { 'data-label': 'Status', text: STATUS[s.status] || s.status }),
  ];
  const td = el('td', { class: 'row-actions' });
  const rows = [el('tr', { 'data-session': s.id }, cells, td)];
  if (s.status === 'ended') {
    td.append(el('a', { href: `/sessions/${s.id}/review`, 'data-testid': 'review-link', text: 'Review',
      'aria-label': `Review of ${s.title}` }));
    linkSharedLogs(s.id, td);
  } else if (s.source === 'live' || !s.source) {
    // The links open in a row of their own below the session, the table's full width.
    const box = el('td', { colspan: 5, class: 'row-links', 'data-testid': 'row-links', id: `links-${s.id}` });
    const extra = el('tr', { class: 'links-row', hidden: true }, box);
    const button = el('button', { type: 'button', class: 'secondary', 'data-testid': 'show-links',
      'aria-expanded': 'false', 'aria-controls': box.id, 'aria-label': `Links for ${s.title}`, text: 'Links' });
    button.addEventListener('click', () => {
      const open = extra.hidden;
      extra.hidden = !open;
      button.setAttribute('aria-expanded', String(open));
      if (open) showLinks(s, box, button);
    });
    td.append(button);
    rows.push(extra);
  }
  return rows;
}

async function load() {
  let sessions;
  try {
    sessions = await api('/api/sessions');
  } catch (e) {
    byTest('list-error').textContent = `The list of sessions could not be loaded. ${e.message}`;
    return;
  }
  byTest('list-error').textContent = '';
  tbody.replaceChildren(...sessions.flatMap(sessionRow));
  byTest('session-list').hidden = !sessions.length;
  byTest('sessions-empty').hidden = !!sessions.length;
}
load();
document.addEventListener('sessions-changed', load); // a group's session was started (groups.js)

// The learning logs their owners have shared, next to the review (the owner never sees an unshared one).
async function linkSharedLogs(id, td) {
  const logs = await api(`/api/sessions/${encodeURIComponent(id)}/logs`).catch(() => []);
  for (const log of logs) {
    td.append(' ', el('a', { href: `/sessions/${id}/log?participant=${encodeURIComponent(log.participant)}`,
      'data-testid': 'shared-log-link', text: `Learning log (${log.participant})` }));
  }
}

// -- New session (the live call) -------------------------------------------------------------
const form = byTest('new-session');
const newLinks = byTest('new-links');

// A pair is coach + coachee; naming other members makes it a group, led by a facilitator, in
// which the coachee is one member among the others (each member has a turn; no one is "the" coachee).
function participants(f) {
  const members = String(f.get('members') || '').split(',').map((n) => n.trim()).filter(Boolean);
  return [
    { name: f.get('coach'), role: members.length ? 'facilitator' : 'coach' },
    { name: f.get('coachee'), role: members.length ? 'member' : 'coachee' },
    ...members.map((name) => ({ name, role: 'member' })),
  ];
}

// The server's per-field messages, placed under the field they are about.
const FIELD_OF = { title: 'title', planned_minutes: 'planned_minutes', participants: 'participants',
  stage_minutes: 'stage_minutes', 'participants.0.name': 'coach', 'participants.1.name': 'coachee' };
const INPUT_OF = { title: 'f-title', planned_minutes: 'f-minutes', coach: 'f-coach', coachee: 'f-coachee', members: 'f-members' };

function clearErrors() {
  for (const p of form.querySelectorAll('.field-error')) p.textContent = '';
  for (const i of form.querySelectorAll('[aria-invalid]')) i.removeAttribute('aria-invalid');
  byTest('new-error').textContent = '';
}

function showFieldErrors(fields) {
  let first = null;
  for (const [key, text] of Object.entries(fields)) {
    const name = FIELD_OF[key] || (key.startsWith('participants.') ? 'members' : key.split('.')[0]);
    const slot = byId(`err-${name}`);
    if (!slot) continue;
    slot.textContent = text[0].toUpperCase() + text.slice(1) + (text.endsWith('.') ? '' : '.');
    const input = byId(INPUT_OF[name]);
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      const ids = new Set((input.getAttribute('aria-describedby') || '').split(' ').filter(Boolean));
      ids.add(slot.id);
      input.setAttribute('aria-describedby', [...ids].join(' '));
    }
    if (name === 'stage_minutes') byTest('stage-plan').open = true;
    first = first || input;
  }
  return first;
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearErrors();
  const f = new FormData(form);
  const missing = {};
  if (!String(f.get('title') || '').trim()) missing.title = 'give the session a title';
  if (!String(f.get('coach') || '').trim()) missing['participants.0.name'] = 'write the coach\'s name';
  if (!String(f.get('coachee') || '').trim()) missing['participants.1.name'] = 'write the coachee\'s name';
  if (Object.keys(missing).length) {
    const first = showFieldErrors(missing);
    byTest('new-error').textContent = 'Some fields need your attention: see the notes under them.';
    if (first) first.focus();
    return;
  }
  const body = {
    title: f.get('title'),
    planned_minutes: Number(f.get('planned_minutes')),
    mode: f.get('mode'),
    participants: participants(f),
  };
  // The server checks the plan (every stage given, within the planned length).
  const stages = ['goal', 'reality', 'options', 'will'];
  if (stages.some((k) => f.get(k) !== '')) {
    body.stage_minutes = Object.fromEntries(stages.filter((k) => f.get(k) !== '').map((k) => [k, Number(f.get(k))]));
  }
  let out;
  try {
    out = await api('/api/sessions', { method: 'POST', body });
  } catch (e) {
    showFieldErrors(e.fields);
    byTest('new-error').textContent = `The session was not created. ${e.message}`;
    return;
  }
  newLinks.querySelector('ul').replaceChildren(...out.participants.map((p, i) => linkRow(p,
    p.role === 'member' ? `member-${i}` : p.role)));
  newLinks.hidden = false;
  byId('new-links-h').focus();
  load();
});
