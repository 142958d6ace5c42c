// Chart helpers shared by the review and trends pages (element helpers and formats come from common.js).
// Charts only place and label figures that come from the report JSON; they compute none.

import { el, svgEl } from '/static/common.js';

// A text label readable on top of any pattern: dark text with a white halo.
export function label(x, y, text, attrs = {}) {
  return svgEl('text', { x, y, class: 'chart-label', ...attrs, text });
}

export const ROLE_NAMES = { coach: 'Coach', facilitator: 'Facilitator', coachee: 'Coachee', member: 'Members', other: 'Others' };
export const STAGE_NAMES = { goal: 'Goal', reality: 'Reality', options: 'Options', will: 'Will' };

export function roleName(role) { return ROLE_NAMES[role] || role; }
export function stageName(stage) { return stage ? (STAGE_NAMES[stage] || stage) : 'No stage'; }

export function rolePattern(role) {
  if (role === 'facilitator') return 'url(#pat-coach)';
  return ['coach', 'coachee', 'member'].includes(role) ? `url(#pat-${role})` : 'url(#pat-other)';
}

export function stagePattern(stage) {
  return STAGE_NAMES[stage] ? `url(#pat-${stage})` : 'url(#pat-none)';
}

// A legend entry: a swatch drawn with the same pattern, and its name in words.
export function legendItem(fill, text) {
  return el('span', { class: 'legend-item' },
    svgEl('svg', { width: 22, height: 14, 'aria-hidden': 'true' },
      svgEl('rect', { width: 22, height: 14, fill, stroke: '#333', 'stroke-width': 1 })),
    el('span', { text }));
}

// The width a chart may use: its container's, so it redraws readably on a phone.
export function widthOf(container, min = 260) {
  return Math.max(min, Math.floor(container.getBoundingClientRect().width || container.clientWidth || 640));
}

export function onResize(redraw) {
  let last = window.innerWidth;
  let timer = null;
  window.addEventListener('resize', () => {
    if (window.innerWidth === last) return;
    last = window.innerWidth;
    clearTimeout(timer);
    timer = setTimeout(redraw, 120);
  });
  window.addEventListener('beforeprint', redraw);
  window.addEventListener('afterprint', redraw);
}

// A table of figures under a chart: the same numbers in words, for print and screen readers.
export function table(head, rows, attrs = {}) {
  return el('table', attrs,
    el('thead', {}, el('tr', {}, head.map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c) => (c instanceof Node ? el('td', {}, c) : el('td', { text: c })))))));
}
