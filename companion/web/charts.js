// Small helpers shared by the review and trends pages: DOM and SVG building, formatting.
// Charts only place and label figures that come from the report JSON; they compute none.

const SVG_NS = 'http://www.w3.org/2000/svg';

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

export function svgEl(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

function setAttrs(node, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') node.textContent = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
}

// A text label readable on top of any pattern: dark text with a white halo.
export function label(x, y, text, attrs = {}) {
  return svgEl('text', { x, y, class: 'chart-label', ...attrs, text });
}

export function clock(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  let s = Math.round(seconds);
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  const mm = String(m).padStart(h ? 2 : 1, '0');
  return h ? `${h}:${mm}:${String(s).padStart(2, '0')}` : `${mm}:${String(s).padStart(2, '0')}`;
}

export function pct(x) {
  return x === null || x === undefined ? '–' : `${Math.round(x * 100)}%`;
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
