// The group review, beside the session review (review.js hands over the report it drew): per turn,
// its length against the plan, the talk balance, the GROW stages in order, the questions the group
// asked and the flags raised in it; and, for a lasting group's session, who facilitates next
// (chosen at this review: the one after the third session hands over to the members).
// Every figure is a field of the report; each member's goal and actions stay in their own log.
import { api, byId as $, clock, el, pct, sessionId } from '/static/common.js';
import { stageName } from '/static/charts.js';

const sid = sessionId();

function first(name) { return String(name || '').split(' ')[0]; }

function turnItem(report, t) {
  const flags = (report.flags || []).filter((f) => f.turn_of === t.member
    || (f.who === t.member && f.start >= t.start && f.start <= t.end));
  const length = t.end - t.start;
  const balance = Object.entries(t.talk_share || {}).map(([who, share]) => `${who} ${pct(share)}`).join(', ');
  return el('li', { class: 'turn', 'data-testid': 'group-turn', 'data-member': t.member },
    el('h3', { text: `${t.member}'s turn` }),
    el('dl', { class: 'turn-figures' },
      el('dt', { text: 'Length' }),
      el('dd', { 'data-testid': 'turn-length', text: `${clock(length)} of ${clock(t.planned_s)} planned` }),
      el('dt', { text: 'Talk' }), el('dd', { 'data-testid': 'turn-balance', text: balance || '–' }),
      el('dt', { text: 'Stages' }),
      el('dd', { 'data-testid': 'turn-stages', text: (t.stages || []).map(stageName).join(' → ') || '–' }),
      el('dt', { text: 'Questions from the group' }),
      el('dd', { 'data-testid': 'turn-questions', text: String(t.group_questions ?? '–') })),
    flags.length ? el('ul', { class: 'turn-flags', 'data-testid': 'turn-flags', 'aria-label': `Flags in ${first(t.member)}'s turn` },
      flags.map((f) => el('li', { text: f.message }))) : el('p', { class: 'hint', text: 'No flags in this turn.' }));
}

async function nextFacilitator(box) {
  let g;
  try { g = await api(`/api/sessions/${encodeURIComponent(sid)}/group`); } catch (e) { return; } // not a group's
  const next = g.number + 1;
  const status = el('p', { role: 'status', 'data-testid': 'next-facilitator-status',
    text: g.next_facilitator ? `${g.next_facilitator} facilitates session ${next}.` : '' });
  box.append(el('h3', { text: `Session ${g.number} of ${g.name}` }));
  if (g.choose_next && g.next_facilitator) {
    const select = el('select', { id: 'next-facilitator', 'data-testid': 'next-facilitator-choice' },
      g.members.map((m) => el('option', { value: m, text: m })));
    select.value = g.next_facilitator;
    const form = el('form', { class: 'inline', 'data-testid': 'next-facilitator' },
      el('label', { for: 'next-facilitator', text: `Who facilitates session ${next}?` }), select,
      el('button', { type: 'submit', class: 'secondary', text: 'Save' }));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        await api(`/api/groups/${encodeURIComponent(g.group_id)}/sessions/${g.number}/next-facilitator`,
          { method: 'PUT', body: { name: select.value } });
        status.textContent = `${select.value} facilitates session ${next}.`;
      } catch (e) {
        status.textContent = `Not saved. ${e.message}`;
      }
    });
    box.append(form);
  }
  box.append(status);
}

document.addEventListener('review-report', (ev) => {
  const report = ev.detail;
  const turns = report.turns || [];
  if (!turns.length || !('utterances' in report)) return; // a pair, or a member's view (no feedback)
  $('turns-list').replaceChildren(...turns.map((t) => turnItem(report, t)));
  $('group-review').hidden = false;
  nextFacilitator($('group-next'));
});
