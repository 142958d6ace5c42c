// The coach's review of one session, drawn from the report JSON only.
//
// Who sees what is decided by the server: the owner (cookie) and the coach side
// get the whole report; a coachee's token gets the talk balance only, so the
// sections whose data is absent stay hidden. Every figure shown is a field of
// the report; the page formats and places numbers, it never derives them.
import {
  el, svgEl, clock, pct, byId as $, api, sessionId, token, withToken,
} from '/static/common.js';
import {
  label, stageName, rolePattern, stagePattern, legendItem, widthOf, onResize, table, STAGE_NAMES,
} from '/static/charts.js';

const sid = sessionId();
// The coach side reads the norm's verdict; a coachee sees their talk balance without a judgement.
let judged = true;

const SKILLS = [
  // [key in coach_skills, label, what it means, needs a transcript]
  ['open_questions', 'Open questions', 'what, how, tell me… invite the coachee to think', true],
  ['closed_questions', 'Closed questions', 'yes/no questions', true],
  ['open_question_ratio', 'Open share of questions', 'of all the coach\'s questions', true],
  ['stacked_questions', 'Stacked questions', 'several questions in one go', true],
  ['reflections', 'Reflections', 'playing back what was heard', true],
  ['reflection_to_question_ratio', 'Reflections per question', 'about one or more is good practice', true],
  ['advice', 'Advice given', 'telling the coachee what to do', true],
  ['affirmations', 'Affirmations', 'recognising the coachee\'s strengths', true],
  ['interruptions', 'Interruptions', 'started while someone was still talking', false],
  ['patience_median_s', 'Patience', 'the usual (median) pause before the coach replied to the coachee', false],
  ['replies', 'Replies', 'times the coach spoke after the coachee finished: what Patience and Quick replies are counted from', false],
  ['quick_replies', 'Quick replies', 'replies that came within a quarter second, before the coachee had room to go on', false],
  ['words_per_minute', 'Pace', 'the coach\'s words per minute', true],
  ['fillers', 'Filler words', 'um, you know, sort of…', true],
];

function say(text) { $('status').textContent = text; }

async function main() {
  const path = `/api/sessions/${encodeURIComponent(sid)}`;
  const [session, report] = await Promise.all([api(path).catch((e) => e), api(`${path}/report`).catch((e) => e)]);
  for (const r of [session, report]) {
    if (r instanceof Error && r.status === 403) {
      say('This link does not open this review. Use the link you were sent for this session, or ask the coach for it.');
      return;
    }
  }
  if (report instanceof Error && report.status === 404) {
    say('This session is still going on: its review appears here as soon as the coach ends it. Reload this page then.');
    return;
  }
  if (report instanceof Error) { say(`The review could not be loaded. ${report.message} Reload the page to try again.`); return; }
  render(session instanceof Error ? {} : session, report);
  if ('utterances' in report) linkSharedLogs();
}

// The learning logs shared with the coach, one click away; none before the coachee shares one.
async function linkSharedLogs() {
  const logs = await api(`/api/sessions/${encodeURIComponent(sid)}/logs`).catch(() => []);
  if (!logs.length) return;
  const box = $('log-links');
  box.replaceChildren(...logs.map((log) => {
    const q = new URLSearchParams({ participant: log.participant, ...(token ? { token } : {}) });
    return el('a', { href: `/sessions/${encodeURIComponent(sid)}/log?${q}`, class: 'button secondary',
      'data-testid': 'shared-log-link', text: `Learning log shared by ${log.participant}` });
  }));
  box.hidden = false;
}

function render(session, report) {
  const coachSide = 'utterances' in report; // the server leaves the transcript out of a coachee's view
  judged = coachSide;
  document.title = `companion: review of ${session.title || report.session.title || report.session.source || 'a session'}`;
  $('title').textContent = session.title || report.session.title || report.session.source || 'Session review';
  const when = (report.session.started_at || session.created_at || '').slice(0, 16).replace('T', ' ');
  $('meta').replaceChildren(
    el('span', { text: when ? `${when} · ` : '' }),
    el('span', { 'data-testid': 'duration', text: clock(report.session.duration_s) }),
    el('span', { text: report.session.source && report.session.source !== 'live' ? ` · from ${report.session.source}` : '' }),
  );
  if (!token) $('owner-nav').hidden = false;
  $('export-md').href = withToken(`/api/sessions/${encodeURIComponent(sid)}/review.md`);
  $('print').addEventListener('click', () => window.print());
  $('actions').hidden = false;
  say(coachSide ? '' : 'You are seeing the talk balance of this session. The coach\'s skills feedback and the transcript stay with the coach.');
  renderNotes(report);
  renderBalance(report);
  renderRibbon(report);
  if (coachSide) {
    renderSkills(report);
    renderFlags(report);
    renderTranscript(report);
  }
  onResize(() => { drawStageBalance(report); drawTimeline(report); drawRibbon(report); });
  window.addEventListener('beforeprint', () => { for (const d of document.querySelectorAll('details')) d.open = true; });
  if (location.hash.startsWith('#u-')) goToUtterance(Number(location.hash.slice(3)));
  document.dispatchEvent(new CustomEvent('review-report', { detail: report })); // a group's turns: review-group.js
  document.body.dataset.ready = 'true';
}

function renderNotes(report) {
  // `command` in a note (the speech part's "how to install a model") is shown as code.
  const withCode = (text) => text.split('`').map((part, i) => (i % 2 ? el('code', { text: part }) : part));
  const notes = (report.session.notes || []).map((n) => el('p', { class: 'note' }, withCode(n)));
  const missing = report.transcript && report.transcript.note;
  if (missing) {
    notes.unshift(el('p', { class: 'note missing', role: 'note', 'data-testid': 'missing-transcript' }, withCode(missing)));
  }
  $('notes').replaceChildren(...notes);
}

// -- talk balance ----------------------------------------------------------------------------
function onlyWithRole(report, roles) {
  const people = report.participants.filter((p) => roles.includes(p.role));
  return people.length === 1 ? people[0] : null;
}

function verdictText(within, norm) {
  if (within === null || within === undefined || !norm) return '';
  return within ? `Within the norm: the coach talked at most ${pct(norm.coach_max_share)}`
    : `Above the norm: the coach talked more than ${pct(norm.coach_max_share)}`;
}

function renderBalance(report) {
  const coach = onlyWithRole(report, ['coach', 'facilitator']);
  const coachee = onlyWithRole(report, ['coachee']);
  $('coach-share').textContent = coach ? pct(coach.talk_share) : '–';
  $('coach-name').textContent = coach ? coach.name : '';
  $('coachee-share').textContent = coachee ? pct(coachee.talk_share) : '–';
  $('coachee-name').textContent = coachee ? coachee.name : '';
  const norm = report.talk_norm;
  if (norm && judged) {
    $('norm').textContent = `Norm used (${norm.name}): ${norm.description}`;
    $('norm-verdict').textContent = verdictText(norm.within, norm);
    $('norm-verdict').dataset.within = String(norm.within);
  } else if (norm) {
    $('norm').textContent = `For reference, the dashed line marks ${pct(norm.coach_max_share)}: many coaches aim to talk `
      + 'no more than that, so that the coachee has room to think.';
  }
  $('legend').replaceChildren(legendItem(rolePattern('coach'), 'Coach'),
    legendItem(rolePattern('coachee'), coachee ? 'Coachee' : 'Everyone else'), normLegend());
  const p = report.participants;
  $('talk-table').replaceWith(table(
    ['Name', 'Role', 'Talk', 'Share', 'Turns', 'Words', 'Words per minute', 'Longest monologue'],
    p.map((x) => [x.name, x.role || '–', clock(x.talk_s), pct(x.talk_share), String(x.turns), String(x.words),
      x.words_per_minute === null ? '–' : String(Math.round(x.words_per_minute)), clock(x.longest_monologue_s)]),
    { id: 'talk-table', 'data-testid': 'talk-table' }));
  $('balance').hidden = false; // before drawing: charts take their width from the laid-out section
  drawStageBalance(report);
  drawTimeline(report);
}

function normLegend() {
  const item = legendItem('none', 'dashed line: the norm');
  const rect = item.querySelector('rect');
  rect.setAttribute('stroke-dasharray', '4 3');
  rect.setAttribute('stroke-width', '2');
  return item;
}

// Horizontal bars: the whole session, then each GROW stage. The coach's share is the
// hatched part; the rest of the bar is everyone else's talk.
function drawStageBalance(report) {
  const box = $('stage-balance-chart');
  const norm = report.talk_norm;
  const coach = onlyWithRole(report, ['coach', 'facilitator']);
  const coachee = onlyWithRole(report, ['coachee']);
  const byStage = (report.coach_skills && report.coach_skills.talk_share_by_stage) || {};
  const withinByStage = (norm && norm.within_by_stage) || {};
  const rows = [{ name: 'Whole session', key: 'overall', coach: coach ? coach.talk_share : null,
    rest: coachee ? coachee.talk_share : null, within: norm ? norm.within : null },
  ...Object.entries(byStage).map(([stage, share]) => ({ name: stageName(stage), key: stage, coach: share, rest: undefined,
    within: withinByStage[stage] }))];
  const restName = coachee ? 'Coachee' : 'Everyone else';
  const W = widthOf(box);
  const narrow = W < 520;
  const labelW = narrow ? 0 : 120;
  const rowH = narrow ? 58 : 42;
  const barH = 26;
  const barW = W - labelW - 8;
  const H = rows.length * rowH + 22;
  const svg = svgEl('svg', { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': 'Coach share of the talk: ' + rows.map((r) => `${r.name} ${pct(r.coach)}`).join(', ') });
  rows.forEach((row, i) => {
    const y = i * rowH + (narrow ? 18 : 4);
    const verdict = !judged ? '' : row.within === false ? ' (above the norm)' : row.within === true ? ' (within)' : '';
    if (narrow) svg.append(label(0, y - 5, row.name + verdict, { class: 'chart-label strong' }));
    else svg.append(label(0, y + barH / 2 + 5, row.name, { class: 'chart-label strong' }));
    const g = svgEl('g', { 'data-testid': `stage-balance-${row.key}`, 'data-within': String(row.within) });
    if (row.coach === null || row.coach === undefined) {
      g.append(label(labelW + 6, y + barH / 2 + 5, 'no talk'));
    } else {
      const w = row.coach * barW;
      g.append(svgEl('rect', { x: labelW, y, width: barW, height: barH, fill: rolePattern('coachee'), stroke: '#222', 'stroke-width': 0.8 },
        svgEl('title', { text: `${row.name}: ${restName}${row.rest !== undefined ? ` ${pct(row.rest)}` : ''}` })));
      g.append(svgEl('rect', { x: labelW, y, width: w, height: barH, fill: rolePattern('coach'), stroke: '#222', 'stroke-width': 0.8 },
        svgEl('title', { text: `${row.name}: coach ${pct(row.coach)}` })));
      g.append(label(labelW + Math.max(w, 0) + 6, y + barH / 2 + 5, `Coach ${pct(row.coach)}`));
      if (row.rest !== undefined && row.rest !== null && barW - w > 150) {
        g.append(label(labelW + barW - 6, y + barH / 2 + 5, `${restName} ${pct(row.rest)}`, { 'text-anchor': 'end' }));
      }
    }
    svg.append(g);
    if (norm) {
      const nx = labelW + norm.coach_max_share * barW;
      svg.append(svgEl('line', { x1: nx, x2: nx, y1: y - 3, y2: y + barH + 3, class: 'norm-line' }));
    }
  });
  if (norm) svg.append(label(labelW + norm.coach_max_share * barW + 4, H - 4, `norm: coach ≤ ${pct(norm.coach_max_share)}`, { class: 'chart-label small' }));
  const above = judged ? rows.filter((r) => r.within === false).map((r) => r.name) : [];
  box.replaceChildren(svg, above.length
    ? el('p', { class: 'hint', 'data-testid': 'above-norm', text: `Coach above the norm in: ${above.join(', ')}.` }) : '');
}

// One column per minute: the coach's share of that minute's talk (hatched), the rest above it.
function drawTimeline(report) {
  const box = $('timeline-chart');
  const minutes = report.talk_timeline || [];
  if (!minutes.length) {
    box.replaceChildren(el('p', { class: 'hint', text: 'No talk over time in this report.' }));
    $('timeline-table').replaceChildren();
    return;
  }
  const norm = report.talk_norm;
  const n = Math.max(Math.ceil((report.session.duration_s || 0) / 60), minutes[minutes.length - 1].minute + 1);
  const W = widthOf(box);
  const left = 40; const top = 8; const bottom = 34; const plotH = W < 520 ? 150 : 190;
  const H = top + plotH + bottom;
  const colW = (W - left - 4) / n;
  const gap = Math.min(4, colW * 0.15);
  const svg = svgEl('svg', { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': 'The coach\'s share of the talk, minute by minute; the table below has every figure.' });
  for (const t of [0, 0.5, 1]) {
    const y = top + plotH * (1 - t);
    svg.append(svgEl('line', { x1: left, x2: W - 4, y1: y, y2: y, class: 'grid' }),
      label(left - 6, y + 4, pct(t), { 'text-anchor': 'end', class: 'chart-label small' }));
  }
  for (const m of minutes) {
    const x = left + m.minute * colW + gap / 2;
    const g = svgEl('g', { 'data-testid': `timeline-minute-${m.minute}` });
    if (partial(report, m)) {
      g.dataset.partial = 'true';
      g.append(svgEl('rect', { x, y: top, width: colW - gap, height: plotH, fill: 'none', stroke: '#777', 'stroke-width': 0.6, 'stroke-dasharray': '3 3' }),
        svgEl('title', { text: `Minute ${m.minute + 1}: only ${clock(covered(report, m))} of the session, too short to judge` }));
      if (colW >= 34) g.append(label(x + (colW - gap) / 2, top + 14, 'short', { 'text-anchor': 'middle', class: 'chart-label small' }));
    } else if (m.coach_share !== null && m.coach_share !== undefined) {
      const h = m.coach_share * plotH;
      g.append(svgEl('rect', { x, y: top, width: colW - gap, height: plotH, fill: rolePattern('coachee'), stroke: '#222', 'stroke-width': 0.6 }),
        svgEl('rect', { x, y: top + plotH - h, width: colW - gap, height: h, fill: rolePattern('coach'), stroke: '#222', 'stroke-width': 0.6 }),
        svgEl('title', { text: `Minute ${m.minute + 1} (from ${clock(m.minute * 60)}): coach ${pct(m.coach_share)} of ${clock(m.talk_s)} of talk` }));
      if (colW >= 34) g.append(label(x + (colW - gap) / 2, top + 14, pct(m.coach_share), { 'text-anchor': 'middle', class: 'chart-label small' }));
    }
    svg.append(g);
  }
  const every = Math.max(1, Math.ceil(44 / colW));
  for (let i = 0; i < n; i += every) svg.append(label(left + i * colW + gap / 2, top + plotH + 16, clock(i * 60), { class: 'chart-label small' }));
  svg.append(label(W - 4, top + plotH + 30, 'minutes into the session', { 'text-anchor': 'end', class: 'chart-label small' }));
  if (norm) {
    const y = top + plotH * (1 - norm.coach_max_share);
    svg.append(svgEl('line', { x1: left, x2: W - 4, y1: y, y2: y, class: 'norm-line' }),
      label(W - 6, y - 5, `norm: coach ≤ ${pct(norm.coach_max_share)}`, { 'text-anchor': 'end', class: 'chart-label small' }));
  }
  const short = minutes.some((m) => partial(report, m));
  box.replaceChildren(svg, el('p', { class: 'hint', text: 'Each column is one minute; the hatched part, labelled at the top, is the coach\'s share of the talk in it.'
    + (short ? ' A last minute of under half a minute is marked "short" and not judged: a few seconds say little.' : '') }));
  $('timeline-table').replaceChildren(table(['Minute from', 'Coach share', 'Talk in the minute'],
    minutes.map((m) => [clock(m.minute * 60), partial(report, m) ? 'too short to judge' : pct(m.coach_share), clock(m.talk_s)])));
}

// The seconds of the session inside minute `m` (the last minute may be cut short by the end).
function covered(report, m) {
  const d = report.session.duration_s;
  return d === null || d === undefined ? 60 : Math.max(0, Math.min(60, d - m.minute * 60));
}

// A minute the session only partly covers (under 30 s) is not judged: its share would say little.
function partial(report, m) {
  return covered(report, m) < 30;
}

// -- GROW ribbon -----------------------------------------------------------------------------
// The plan's stages laid end to end, in the order the plan lists them (placement only).
function plannedSpans(plan) {
  let t = 0;
  return ((plan && plan.stages) || []).filter((s) => typeof s.planned_s === 'number').map((s) => {
    const span = { ...s, start: t, end: t + s.planned_s };
    t = span.end;
    return span;
  });
}

function renderRibbon(report) {
  $('grow').hidden = false;
  drawRibbon(report);
}

function drawRibbon(report) {
  const box = $('ribbon');
  const stages = report.stages || [];
  const planSpans = plannedSpans(report.plan);
  const flags = report.flags || [];
  if (!stages.length && !planSpans.length) {
    const why = report.transcript && report.transcript.transcribed === 0 ? ' GROW stages are found in the transcript, and this session has none.' : '';
    box.replaceChildren(el('p', { class: 'hint', 'data-testid': 'no-stages', text: `No GROW stages were marked in this session.${why}` }));
    return;
  }
  const W = widthOf(box);
  const narrow = W < 520;
  const left = 52; const rowH = 34;
  const planEnd = planSpans.length ? planSpans[planSpans.length - 1].end : 0;
  const span = Math.max(report.session.duration_s || 0, planEnd, 1);
  const xOf = (t) => left + (t / span) * (W - left - 6);
  const rows = [['Actual', stages]];
  if (planSpans.length) rows.push(['Plan', planSpans]);
  const H = rows.length * (rowH + 8) + (flags.length ? 22 : 0) + 24;
  const svg = svgEl('svg', { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': 'GROW stages as they happened' + (planSpans.length ? ' against the plan' : '') + ': '
      + stages.map((s) => `${stageName(s.stage)} ${clock(s.start)}–${clock(s.end)}`).join(', ') });
  rows.forEach(([name, spans], r) => {
    const y = 4 + r * (rowH + 8);
    svg.append(label(0, y + rowH / 2 + 5, name, { class: 'chart-label strong small' }));
    for (const s of spans) {
      const x = xOf(s.start); const w = Math.max(1, xOf(s.end) - x);
      const words = s.planned_s !== undefined ? `${stageName(s.stage)} ${clock(s.planned_s)}` : stageName(s.stage);
      svg.append(svgEl('g', { 'data-testid': r ? `plan-${s.stage}` : `stage-span-${s.stage}` },
        svgEl('rect', { x, y, width: w, height: rowH, fill: stagePattern(s.stage), stroke: '#222', 'stroke-width': 0.8 },
          svgEl('title', { text: `${name}: ${stageName(s.stage)} ${clock(s.start)}–${clock(s.end)}` })),
        w > words.length * 7 + 8 ? label(x + 4, y + rowH / 2 + 5, words)
          : w > 14 ? label(x + w / 2, y + rowH / 2 + 5, stageName(s.stage)[0], { 'text-anchor': 'middle' }) : null));
    }
  });
  let y = 4 + rows.length * (rowH + 8);
  if (flags.length) {
    svg.append(label(0, y + 12, 'Flags', { class: 'chart-label strong small' }));
    for (const f of flags) {
      const x = xOf(f.start);
      svg.append(svgEl('line', { x1: x, x2: Math.max(x, xOf(f.end)), y1: y + 8, y2: y + 8, class: 'flag-span' }));
      svg.append(svgEl('path', { d: `M${x - 6} ${y + 14} L${x + 6} ${y + 14} L${x} ${y + 2} Z`, class: 'flag-mark' },
        svgEl('title', { text: `${clock(f.start)} ${f.kind}: ${f.message}` })));
    }
    y += 22;
  }
  const step = span > 3600 ? 900 : span > 1200 ? 300 : span > 300 ? 60 : 30;
  for (let t = 0; t <= span; t += step) {
    if (xOf(t) - left < 0) continue;
    svg.append(svgEl('line', { x1: xOf(t), x2: xOf(t), y1: y - 2, y2: y + 3, class: 'grid' }));
    if ((t / step) % Math.max(1, Math.ceil(48 / ((W - left) * step / span))) === 0) svg.append(label(xOf(t), y + 16, clock(t), { 'text-anchor': xOf(t) > W - 24 ? 'end' : 'middle', class: 'chart-label small' }));
  }
  const legend = el('div', { class: 'legend' }, Object.keys(STAGE_NAMES).map((s) => legendItem(stagePattern(s), stageName(s))));
  const list = table(['Stage', 'From', 'To'], stages.map((s) => [stageName(s.stage), clock(s.start), clock(s.end)]), { class: 'compact' });
  box.replaceChildren(svg, legend, el('details', { class: 'figures-table' }, el('summary', { text: 'The stages as a table' }), list,
    planSpans.length ? table(['Stage', 'Planned', 'Took', 'Over by'], planSpans.map((s) => [stageName(s.stage), clock(s.planned_s),
      clock(s.actual_s), s.over_s ? clock(s.over_s) : '–']), { class: 'compact', 'data-testid': 'plan-table' }) : ''));
}

// -- skills ----------------------------------------------------------------------------------
function skillValue(key, value) {
  if (value === null || value === undefined) return '–';
  if (typeof value !== 'number') return String(value);
  if (key.endsWith('share') || key === 'open_question_ratio') return pct(value);
  if (key.endsWith('_s')) return value < 60 ? `${value.toFixed(1)} s` : clock(value);
  if (key === 'words_per_minute') return `${Math.round(value)} wpm`;
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function renderSkills(report) {
  const skills = report.coach_skills || {};
  const noTranscript = report.transcript && report.transcript.transcribed === 0;
  const cards = [];
  const card = (key, name, value, note) => cards.push(el('div', { class: 'skill', 'data-testid': `skill-${key}` },
    el('span', { class: 'skill-name', text: name }),
    el('strong', { class: 'skill-value', text: value }),
    note ? el('span', { class: 'skill-note', text: note }) : null));
  const shown = new Set(['talk_share', 'talk_share_by_stage']); // shown under Talk balance
  for (const [key, name, note, needsText] of SKILLS) {
    shown.add(key);
    const value = skills[key];
    if (value === undefined || (needsText && noTranscript)) { // a count from no words would mislead
      card(key, name, '–', needsText && noTranscript ? 'needs a transcript' : 'not measured in this report');
    } else {
      card(key, name, skillValue(key, value), note);
    }
  }
  for (const p of report.participants.filter((x) => ['coach', 'facilitator'].includes(x.role))) {
    card('longest_monologue', `Longest monologue (${p.name})`, clock(p.longest_monologue_s), 'the coach\'s longest stretch of talk');
  }
  for (const [key, value] of Object.entries(skills)) { // anything else the analysis reports
    if (shown.has(key) || (value && typeof value === 'object')) continue;
    card(key, key.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase()), skillValue(key, value));
  }
  $('skill-grid').replaceChildren(...cards);
  $('skills').hidden = false;
}

// -- flags and nudges ------------------------------------------------------------------------
const FLAG_NAMES = {
  venting: 'Venting', stage_overrun: 'Stage overrun', stage_loop: 'Stage loop', topic_drift: 'Drift',
  coach_dominance: 'Coach talking a lot', long_monologue: 'Long monologue', no_will: 'No Will', interruptions: 'Interruptions',
};

function utteranceAt(report, t) {
  const us = report.utterances || [];
  const inside = us.find((u) => u.start <= t && t < u.end);
  if (inside) return inside.index;
  const after = us.find((u) => u.start >= t);
  if (after) return after.index;
  return us.length ? us[us.length - 1].index : null;
}

function flagItem(report, item, testid) {
  const start = item.t ?? item.start; // a nudge is about the moment it was given
  const idx = Number.isInteger(item.index) ? item.index : utteranceAt(report, start);
  const when = item.end !== undefined && item.end !== start ? `${clock(start)}–${clock(item.end)}` : clock(start);
  const button = el('button', { type: 'button', class: 'flag', 'data-testid': testid, 'data-start': start,
    'data-utterance': idx ?? '', onclick: () => goToUtterance(idx) },
  el('span', { class: 'flag-when', text: when }),
  el('span', { class: 'flag-kind', text: item.title || FLAG_NAMES[item.kind] || (item.kind || 'Nudge').replace(/_/g, ' ') }),
  el('span', { class: 'flag-message', text: item.message || item.text || '' }),
  item.suggestion ? el('span', { class: 'flag-suggestion', text: `Try: ${item.suggestion}` }) : null);
  return el('li', {}, button);
}

function renderFlags(report) {
  const flags = report.flags || [];
  $('flag-list').replaceChildren(...(flags.length ? flags.map((f) => flagItem(report, f, 'flag-item'))
    : [el('li', { class: 'hint', 'data-testid': 'no-flags', text: report.transcript && report.transcript.transcribed === 0
      ? 'No flags: venting, drift and missing Will are found in the transcript, and this session has none.'
      : 'No flags in this session.' })]));
  const nudges = report.nudges || [];
  $('nudges-h').hidden = $('nudge-list').hidden = !nudges.length;
  $('nudge-list').replaceChildren(...nudges.map((n) => flagItem(report, n, 'nudge-item')));
  $('flags').hidden = false;
}

// -- transcript ------------------------------------------------------------------------------
function renderTranscript(report) {
  const items = (report.utterances || []).map((u) => {
    const marks = [];
    if (u.stage) marks.push(el('span', { class: 'badge stage', dataset: { stage: u.stage }, text: stageName(u.stage) }));
    for (const a of u.acts || []) marks.push(el('span', { class: 'badge act', text: a.replace(/_/g, ' ') }));
    if (u.focus && u.focus !== 'neutral') marks.push(el('span', { class: 'badge focus', text: `${u.focus} focus` }));
    const text = u.transcribed === false
      ? el('span', { class: 'text untranscribed', text: '(speech, not transcribed)' })
      : el('span', { class: 'text', text: u.text });
    return el('li', { id: `u-${u.index}`, class: 'utterance', tabindex: -1, 'data-testid': `utterance-${u.index}`,
      'data-role': u.role || 'other', 'data-start': u.start },
    el('span', { class: 'when', text: clock(u.start) }),
    el('span', { class: 'speaker', text: u.role ? `${u.speaker} (${u.role})` : u.speaker }),
    marks.length ? el('span', { class: 'marks' }, marks) : null,
    text);
  });
  $('transcript').replaceChildren(...items);
  $('search').addEventListener('input', () => search($('search').value));
  $('transcript-section').hidden = false;
}

function search(query) {
  const q = query.trim().toLowerCase();
  let any = false;
  for (const li of $('transcript').children) {
    const text = li.querySelector('.text');
    const plain = text.textContent;
    const hit = !q || li.textContent.toLowerCase().includes(q);
    li.hidden = !hit;
    any ||= hit;
    text.replaceChildren(...highlight(plain, q));
  }
  $('search-empty').hidden = any;
}

function highlight(text, q) {
  if (!q) return [text];
  const out = [];
  const lower = text.toLowerCase();
  let i = 0;
  for (let j = lower.indexOf(q); j !== -1; j = lower.indexOf(q, i)) {
    out.push(text.slice(i, j), el('mark', { text: text.slice(j, j + q.length) }));
    i = j + q.length;
  }
  out.push(text.slice(i));
  return out;
}

function goToUtterance(index) {
  const li = index === null || index === undefined ? null : document.getElementById(`u-${index}`);
  if (!li) return;
  if (li.hidden) { $('search').value = ''; search(''); }
  for (const old of document.querySelectorAll('.utterance.highlight')) {
    old.classList.remove('highlight');
    old.removeAttribute('aria-current');
  }
  li.classList.add('highlight');
  li.setAttribute('aria-current', 'true');
  history.replaceState(null, '', `${location.pathname}${location.search}#u-${index}`);
  li.scrollIntoView({ block: 'center' });
  li.focus({ preventScroll: true });
}

main().catch((e) => say(`The review could not be shown (${e.message}). Reload the page to try again.`));
