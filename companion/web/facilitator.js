// A group's turns on the call page. Everyone sees whose turn it is and its clock; the facilitator
// also gets the controls (start a member's turn, end it) and the panel's figures. The figures and
// nudges are sent by the server to the coach side only: a member's page never receives them.
const fmt = (s) => {
  if (s == null) return '–';
  const neg = s < 0;
  s = Math.abs(Math.round(s));
  return `${neg ? '-' : ''}${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};
const STAGES = { goal: 'Goal', reality: 'Reality', options: 'Options', will: 'Will' };

function el(tag, attrs = {}, text = '') {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'testid') e.dataset.testid = v; else e.setAttribute(k, v);
  }
  if (text) e.textContent = text;
  return e;
}

export function groupTurns({ info, sid, api }) {
  const members = (info.participants || []).filter((p) => p.role === 'member').map((p) => p.name);
  if (!members.length) return { handle() {} };
  const leads = info.you.owner || info.you.role === 'facilitator';
  let turn = null; // {member, start, planned_s, next}
  let elapsed = null; // session seconds, from the clock messages

  const banner = el('span', { testid: 'turn', class: 'turn', role: 'status' }, 'No turn open');
  document.querySelector('.call-head').append(banner);

  const panel = {};
  if (leads) {
    const box = el('section', { testid: 'turn-panel', 'aria-label': 'Turns' });
    box.append(el('h3', {}, 'Turns'));
    const buttons = el('p', { class: 'turn-buttons' });
    for (const name of members) {
      const b = el('button', { type: 'button', class: 'secondary' }, `Start ${name}'s turn`);
      b.addEventListener('click', () => post(name));
      buttons.append(b, ' ');
    }
    const end = el('button', { type: 'button', testid: 'end-turn' }, 'End turn');
    end.addEventListener('click', () => post(null));
    buttons.append(end);
    box.append(buttons);
    const list = el('dl', { class: 'turn-figures' });
    for (const [key, label] of [['member', 'In focus'], ['left', 'Time left'], ['next', 'Next'],
      ['talk', 'Talk in this turn'], ['not-spoken', 'Not spoken yet'], ['dominant', 'Dominating'],
      ['stage', 'Stage of the turn']]) {
      panel[key] = el('dd', { testid: `turn-${key}` }, '–');
      list.append(el('dt', {}, label), panel[key]);
    }
    box.append(list);
    panel.error = el('p', { class: 'note', testid: 'turn-error', role: 'alert' });
    box.append(panel.error);
    const coach = document.getElementById('coach-panel');
    coach.insertBefore(box, coach.querySelector('h3'));
  }

  async function post(member) {
    if (panel.error) panel.error.textContent = '';
    try {
      await api(`/api/sessions/${sid}/turn`, { method: 'POST', body: { member } });
    } catch (e) {
      if (panel.error) panel.error.textContent = e.message;
    }
  }

  function show() {
    if (!turn || !turn.member) {
      banner.textContent = turn && turn.next ? `No turn open · next: ${turn.next}` : 'No turn open';
      if (leads) panel.member.textContent = '–';
      return;
    }
    const left = elapsed == null ? null : turn.planned_s - (elapsed - turn.start);
    banner.textContent = `${turn.member}'s turn · ${fmt(left)} left`;
    banner.classList.toggle('over', left != null && left < 0);
    if (leads) {
      panel.member.textContent = turn.member;
      panel.left.textContent = fmt(left);
      panel.next.textContent = turn.next || 'no one: everyone has had a turn';
    }
  }

  function showStatus(m) {
    turn = { ...(turn || {}), member: m.member, start: m.start, planned_s: m.planned_s, next: m.next };
    show();
    const total = m.talk.member_s + m.talk.others_s;
    const share = total ? Math.round((100 * m.talk.member_s) / total) : 0;
    panel.talk.textContent = `${m.member.split(' ')[0]} ${fmt(m.talk.member_s)} (${share}%), everyone else ${fmt(m.talk.others_s)}`;
    panel['not-spoken'].textContent = m.not_spoken.length ? m.not_spoken.join(', ') : 'everyone has spoken';
    panel.dominant.textContent = m.dominant || 'no one';
    panel.stage.textContent = STAGES[m.stage] || '–';
  }

  api(`/api/sessions/${sid}/turn`).then((t) => { turn = t; show(); }).catch(() => {});
  showGroup();

  // A session of a lasting group: its number, who facilitates, and last time's actions to report back on.
  async function showGroup() {
    let g;
    try { g = await api(`/api/sessions/${sid}/group`); } catch (e) { return; } // not a group's session
    const box = el('section', { testid: 'group-session', class: 'note', 'aria-label': 'This group session' });
    box.append(el('p', { testid: 'group-number' }, `Session ${g.number} of ${g.name} · facilitating: ${g.facilitator}`));
    const entries = Object.entries(g.previous_actions || {}).filter(([, actions]) => actions.length);
    if (entries.length) {
      box.append(el('h3', {}, 'Report back: last time’s actions'));
      const list = el('ul', { testid: 'report-back' });
      for (const [who, actions] of entries) {
        list.append(el('li', {}, `${who}: ${actions.map((a) => a.what || a.action || '').filter(Boolean).join('; ')}`));
      }
      box.append(list);
    }
    document.querySelector('.call-head').after(box);
  }

  return {
    handle(m) {
      if (m.type === 'turn') { turn = m; show(); } else if (m.type === 'clock') { elapsed = m.elapsed_s; show(); } else if (m.type === 'turn_status' && leads) showStatus(m);
    },
  };
}
