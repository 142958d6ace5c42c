// Owner home: the stored sessions, newest first. The owner cookie authenticates.
const tbody = document.querySelector('[data-testid="session-list"] tbody');

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

async function load() {
  const res = await fetch('/api/sessions');
  if (!res.ok) { tbody.replaceChildren(); return; }
  const sessions = await res.json();
  tbody.replaceChildren(...sessions.map((s) => {
    const tr = document.createElement('tr');
    tr.append(cell((s.created_at || '').slice(0, 16).replace('T', ' ')), cell(s.title),
      cell(s.participants.map((p) => `${p.name} (${p.role || '-'})`).join(', ')), cell(s.status));
    const td = document.createElement('td');
    if (s.status === 'ended') {
      const a = document.createElement('a');
      a.href = `/sessions/${s.id}/review`;
      a.textContent = 'Review';
      a.dataset.testid = 'review-link';
      td.append(a);
      linkSharedLogs(s.id, td);
    }
    tr.append(td);
    return tr;
  }));
}
load();

// The learning logs their owners have shared, next to the review (the owner never sees an unshared one).
async function linkSharedLogs(id, td) {
  const res = await fetch(`/api/sessions/${id}/logs`).catch(() => null);
  if (!res || !res.ok) return;
  for (const log of await res.json()) {
    const a = document.createElement('a');
    a.href = `/sessions/${id}/log?participant=${encodeURIComponent(log.participant)}`;
    a.textContent = `Learning log (${log.participant})`;
    a.dataset.testid = 'shared-log-link';
    td.append(' ', a);
  }
}

// -- New session (the live call) -------------------------------------------------------------
const form = document.querySelector('[data-testid="new-session"]');
const links = document.querySelector('[data-testid="new-links"]');

function linkItem(p, i) {
  const li = document.createElement('li');
  const label = document.createElement('strong');
  label.textContent = `${p.name} (${p.role}): `;
  const input = document.createElement('input');
  input.readOnly = true;
  input.value = p.link;
  input.size = 60;
  const id = p.role === 'member' ? `member-${i}` : p.role;
  input.dataset.testid = `link-${id}`;
  const copy = document.createElement('button');
  copy.type = 'button';
  copy.className = 'secondary';
  copy.textContent = 'Copy';
  copy.dataset.testid = `copy-${id}`;
  copy.addEventListener('click', async () => {
    try { await navigator.clipboard.writeText(p.link); } catch (e) { input.select(); document.execCommand('copy'); }
    copy.textContent = 'Copied';
  });
  const open = document.createElement('a');
  open.href = p.link;
  open.target = '_blank';
  open.rel = 'noopener';
  open.textContent = 'Open';
  li.append(label, input, ' ', copy, ' ', open);
  return li;
}

// A pair is coach + coachee; naming other members makes it a group, led by a facilitator.
function participants(f) {
  const members = String(f.get('members') || '').split(',').map((n) => n.trim()).filter(Boolean);
  return [
    { name: f.get('coach'), role: members.length ? 'facilitator' : 'coach' },
    { name: f.get('coachee'), role: 'coachee' },
    ...members.map((name) => ({ name, role: 'member' })),
  ];
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = new FormData(form);
  const error = form.querySelector('[data-testid="new-error"]');
  error.textContent = '';
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
  const res = await fetch('/api/sessions', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const out = await res.json().catch(() => ({}));
  if (!res.ok) { error.textContent = out.error || `Could not create the session (HTTP ${res.status})`; return; }
  links.querySelector('ul').replaceChildren(...out.participants.map((p, i) => linkItem(p, i)));
  links.hidden = false;
  load();
});
