// Owner home, lasting groups: a form to create a peer-coaching group (name, facilitator, members),
// and each group with its numbered sessions, who facilitates each, the choice of who facilitates
// next (made at a session's review; the one after the third hands over to the members), and a
// button that starts the next session and shows its links.
import { api, byTest, el, linkRow } from '/static/common.js';

const list = byTest('group-list');
const form = byTest('new-group');
const STATUS = { scheduled: 'scheduled', live: 'live now', ended: 'ended' };

function names(text) {
  return String(text || '').split(',').map((n) => n.trim()).filter(Boolean);
}

// The review of the group's latest session chooses who facilitates the next one.
function nextFacilitatorForm(g, row) {
  const id = `next-fac-${g.id}-${row.number}`;
  const select = el('select', { id, 'data-testid': 'next-facilitator-choice' },
    g.members.map((m) => el('option', { value: m, text: m })));
  if (row.next_facilitator) select.value = row.next_facilitator;
  const status = el('span', { class: 'status', role: 'status', 'data-testid': 'next-facilitator-status' });
  const f = el('form', { class: 'inline', 'data-testid': 'next-facilitator' },
    el('label', { for: id, text: `Chosen at the review of session ${row.number} to facilitate next: ` }), select,
    el('button', { type: 'submit', class: 'secondary', text: 'Save' }), ' ', status);
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api(`/api/groups/${encodeURIComponent(g.id)}/sessions/${row.number}/next-facilitator`,
        { method: 'PUT', body: { name: select.value } });
      await load();
    } catch (e) {
      status.textContent = `Not saved. ${e.message}`;
    }
  });
  return f;
}

function historyItem(g, row, latest) {
  const text = `Session ${row.number} (${STATUS[row.status] || row.status || '–'}) · `
    + `facilitating: ${row.facilitator}${row.next_facilitator ? ` · next: ${row.next_facilitator}` : ''}`;
  const li = el('li', { 'data-testid': 'group-session', 'data-number': row.number }, el('span', { text }));
  if (row.status === 'ended') {
    li.append(' ', el('a', { href: `/sessions/${row.session_id}/review`, text: 'Review',
      'aria-label': `Review of session ${row.number} of ${g.name}` }));
  }
  // The choice matters once the group facilitates itself: after the third session, or from the start.
  if (latest && (row.number >= 3 || !g.facilitator)) li.append(nextFacilitatorForm(g, row));
  return li;
}

async function startSession(g, box, button) {
  button.disabled = true;
  try {
    const s = await api(`/api/groups/${encodeURIComponent(g.id)}/sessions`, { method: 'POST', body: {} });
    await load();
    const fresh = list.querySelector(`[data-group="${g.id}"] [data-testid="group-links"]`) || box;
    fresh.replaceChildren(
      el('h4', { text: `Links for session ${s.number} · facilitating: ${s.facilitator}` }),
      el('p', { class: 'hint', text: 'Send each person their own link; it carries a personal key. '
        + 'The links are also in the list of sessions below until the session ends.' }),
      el('ul', { class: 'links' }, s.participants.map((p, i) => linkRow(p, `${s.id}-g${i}`))));
    fresh.hidden = false;
    document.dispatchEvent(new CustomEvent('sessions-changed'));
  } catch (e) {
    box.replaceChildren(el('p', { class: 'error', role: 'alert', text: `The session was not started. ${e.message}` }));
    box.hidden = false;
    button.disabled = false;
  }
}

function groupCard(g) {
  const links = el('div', { 'data-testid': 'group-links', hidden: true });
  const start = el('button', { type: 'button', 'data-testid': 'start-group-session',
    text: `Start session ${g.next.number}`, 'aria-label': `Start session ${g.next.number} of ${g.name}` });
  start.addEventListener('click', () => startSession(g, links, start));
  const who = g.facilitator ? `${g.facilitator} facilitates the first three sessions; then the members take turns.`
    : 'The members facilitate, taking turns.';
  return el('article', { class: 'group', 'data-testid': 'group', 'data-group': g.id },
    el('h3', { text: g.name }),
    el('p', { 'data-testid': 'group-members', text: `Members: ${g.members.join(', ')}. ${who}` }),
    g.sessions.length ? el('ol', { class: 'group-sessions' },
      g.sessions.map((row, i) => historyItem(g, row, i === g.sessions.length - 1))) : null,
    el('p', { 'data-testid': 'group-next', text: `Next: session ${g.next.number} · facilitating: ${g.next.facilitator}` }),
    start, links);
}

async function load() {
  let groups;
  try {
    groups = await api('/api/groups');
  } catch (e) {
    byTest('groups-error').textContent = `The groups could not be loaded. ${e.message}`;
    return;
  }
  byTest('groups-error').textContent = '';
  list.replaceChildren(...groups.map(groupCard));
  byTest('groups-empty').hidden = !!groups.length;
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = new FormData(form);
  const error = byTest('group-error');
  error.textContent = '';
  const body = { name: String(f.get('name') || '').trim(), facilitator: String(f.get('facilitator') || '').trim() || null,
    members: names(f.get('members')) };
  if (!body.name) { error.textContent = 'Give the group a name.'; return; }
  try {
    await api('/api/groups', { method: 'POST', body });
  } catch (e) {
    const text = e.message.charAt(0).toUpperCase() + e.message.slice(1);
    error.textContent = `The group was not created. ${text}${text.endsWith('.') ? '' : '.'}`;
    return;
  }
  form.reset();
  await load();
});

load();
