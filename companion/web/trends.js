// Trends across the owner's sessions, per coach, from GET /api/trends.
// The API only picks fields out of each stored report, so every figure here is
// the same one the session's own review shows; this page places and labels them.
import { el, svgEl, clock, pct, byId as $, api } from '/static/common.js';
import { label, legendItem, widthOf, onResize, table } from '/static/charts.js';

const SERIES = {
  talk: [{ key: 'talk_share', name: 'Coach talk share', fill: 'url(#pat-coach)', fmt: pct }],
  questions: [
    { key: 'open_questions', name: 'Open questions', fill: 'url(#pat-coach)', fmt: String },
    { key: 'closed_questions', name: 'Closed questions', fill: 'url(#pat-coachee)', fmt: String },
  ],
  reflections: [{ key: 'reflections', name: 'Reflections', fill: 'url(#pat-reflection)', fmt: String }],
};

function when(p) { return (p.started_at || '').slice(0, 10); }

// Columns, one per session (stacked when there are several series), each part labelled with its figure.
function columns(box, points, series, { max = null, norm = null, footnote = null } = {}) {
  const W = widthOf(box);
  const left = 36; const top = 18; const bottom = 40; const plotH = W < 520 ? 130 : 170;
  const H = top + plotH + bottom;
  const top_ = max ?? Math.max(1, ...points.map((p) => series.reduce((a, s) => a + (p[s.key] || 0), 0)));
  const colW = Math.min(90, (W - left - 4) / Math.max(points.length, 1));
  const gap = Math.min(10, colW * 0.2);
  const svg = svgEl('svg', { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': `${series.map((s) => s.name).join(' and ')} per session: ` + points.map((p) => `${when(p)} ${series.map((s) => s.fmt(p[s.key]) ?? '–').join('/')}`).join('; ') });
  svg.append(svgEl('line', { x1: left, x2: W - 4, y1: top + plotH, y2: top + plotH, class: 'grid' }));
  svg.append(label(left - 6, top + 4, max === 1 ? '100%' : String(top_), { 'text-anchor': 'end', class: 'chart-label small' }),
    label(left - 6, top + plotH + 4, max === 1 ? '0%' : '0', { 'text-anchor': 'end', class: 'chart-label small' }));
  points.forEach((p, i) => {
    const x = left + i * colW + gap / 2;
    const g = svgEl('g', { 'data-testid': `trend-${series[0].key}-${i}` });
    let y = top + plotH;
    const missing = series.every((s) => p[s.key] === null || p[s.key] === undefined);
    for (const s of series) {
      const v = p[s.key];
      if (!v) continue;
      const h = (v / top_) * plotH;
      y -= h;
      g.append(svgEl('rect', { x, y, width: colW - gap, height: h, fill: s.fill, stroke: '#222', 'stroke-width': 0.7 },
        svgEl('title', { text: `${when(p)} ${p.title}: ${s.name} ${s.fmt(v)}` })));
      if (h >= 16 && series.length > 1) g.append(label(x + (colW - gap) / 2, y + h / 2 + 4, s.fmt(v), { 'text-anchor': 'middle', class: 'chart-label small' }));
    }
    const text = missing ? 'n/a' : series.length > 1 ? series.map((s) => s.fmt(p[s.key] ?? 0)).join('/') : series[0].fmt(p[series[0].key]);
    g.append(label(x + (colW - gap) / 2, Math.max(12, y - 4), text, { 'text-anchor': 'middle', class: 'chart-label small' }));
    g.append(label(x + (colW - gap) / 2, top + plotH + 15, when(p).slice(5), { 'text-anchor': 'middle', class: 'chart-label small' }));
    g.append(label(x + (colW - gap) / 2, top + plotH + 29, `#${i + 1}`, { 'text-anchor': 'middle', class: 'chart-label small' }));
    svg.append(g);
  });
  if (norm) {
    const y = top + plotH * (1 - norm.coach_max_share / top_);
    svg.append(svgEl('line', { x1: left, x2: W - 4, y1: y, y2: y, class: 'norm-line' }),
      label(W - 6, y - 5, `norm ${norm.name}: coach ≤ ${pct(norm.coach_max_share)}`, { 'text-anchor': 'end', class: 'chart-label small' }));
  }
  box.replaceChildren(svg, el('div', { class: 'legend' }, series.map((s) => legendItem(s.fill, s.name))), footnote ? el('p', { class: 'hint', text: footnote }) : '');
}

function render(data) {
  const out = [];
  const draws = [];
  for (const coach of data.coaches) {
    const pts = coach.sessions;
    const talk = el('div', { class: 'chart', 'data-testid': 'trend-talk-share' });
    const questions = el('div', { class: 'chart', 'data-testid': 'trend-questions' });
    const reflections = el('div', { class: 'chart', 'data-testid': 'trend-reflections' });
    const draw = () => {
      columns(talk, pts, SERIES.talk, { max: 1, norm: data.norm, footnote: data.norm ? `Norm used (${data.norm.name}): ${data.norm.description}` : null });
      columns(questions, pts, SERIES.questions, { footnote: 'Labels read open/closed.' });
      columns(reflections, pts, SERIES.reflections);
    };
    draws.push(draw);
    const rows = pts.map((p, i) => [String(i + 1), when(p),
      el('a', { href: `/sessions/${encodeURIComponent(p.id)}/review`, text: p.title || p.id }),
      pct(p.talk_share), p.open_questions ?? '–', p.closed_questions ?? '–', pct(p.open_question_ratio),
      p.reflections ?? '–', p.advice ?? '–', clock(p.duration_s)].map((c) => (typeof c === 'number' ? String(c) : c)));
    out.push(el('section', { class: 'coach-trends', 'data-testid': 'coach-trends', 'data-coach': coach.name },
      el('h2', { text: `${coach.name} (${pts.length} session${pts.length === 1 ? '' : 's'})` }),
      el('h3', { text: 'Talk share' }), talk,
      el('h3', { text: 'Question mix' }), questions,
      el('h3', { text: 'Reflections' }), reflections,
      el('h3', { text: 'Every session' }),
      el('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': `Every session of ${coach.name}` }, table(['#', 'Date', 'Session', 'Coach talk', 'Open q.', 'Closed q.', 'Open share', 'Reflections', 'Advice', 'Length'],
        rows, { class: 'sessions-table', 'data-testid': 'trend-table' }))));
  }
  $('trends').replaceChildren(...out);
  draws.forEach((d) => d());
  onResize(() => draws.forEach((d) => d()));
  $('status').textContent = data.coaches.length ? '' : 'No analysed sessions yet: trends appear once sessions have ended.';
}

async function main() {
  let data;
  try {
    data = await api('/api/trends');
  } catch (e) {
    $('status').textContent = e.status === 403
      ? 'This page is for the person running companion: open the address that companion serve printed (it carries the owner key).'
      : `Trends could not be loaded. ${e.message}`;
    return;
  }
  render(data);
  document.body.dataset.ready = 'true';
}

main().catch((e) => { $('status').textContent = `Trends could not be shown: ${e.message}. Reload the page to try again.`; });
