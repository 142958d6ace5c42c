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
      td.append(a);
    }
    tr.append(td);
    return tr;
  }));
}
load();
