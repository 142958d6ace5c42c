// The one small module every page uses: which session and token this page is for, calls to the
// API, durations, and element helpers. Pages import what they need from here; nothing else defines
// its own api(), clock() or $().

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The session id in a /join/{id}, /sessions/{id}/review or /sessions/{id}/log address ('' elsewhere). */
export function sessionId(path = location.pathname) {
  const parts = path.split('/').filter(Boolean);
  return parts.length > 1 && (parts[0] === 'join' || parts[0] === 'sessions') ? decodeURIComponent(parts[1]) : '';
}

/** The participant token in this page's address, or '' (the owner is known by a cookie instead). */
export const token = new URLSearchParams(location.search).get('token') || '';

/** `path` with this page's token added, for links to the next page. */
export function withToken(path) {
  return token ? `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : path;
}

/** An error from the API: `message` is the server's sentence for a person; `fields` names the field at fault. */
export class ApiError extends Error {
  constructor(message, status, body = {}) {
    super(message);
    this.status = status;
    this.body = body;
    this.fields = body.fields || {};
  }
}

/** A fetch to the companion server with this page's credentials (token or owner cookie); resolves to the Response. */
export function request(path, { method = 'GET', body, headers = {} } = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  return fetch(path, { method, headers: h, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body) });
}

/**
 * A JSON call to the companion server with this page's credentials. Resolves to the JSON body;
 * rejects with an ApiError carrying the server's one-line message (or a sentence saying the server
 * could not be reached).
 */
export async function api(path, options = {}) {
  let res;
  try {
    res = await request(path, options);
  } catch (e) {
    throw new ApiError('The companion server could not be reached. Check that it is still running, then try again.', 0);
  }
  const out = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(out.error || `The server answered ${res.status} ${res.statusText}.`, res.status, out);
  return out;
}

/** A duration in seconds as m:ss, or h:mm:ss from an hour; '–' when unknown. */
export function clock(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '–';
  let s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  const mm = String(m).padStart(h ? 2 : 1, '0');
  return h ? `${h}:${mm}:${String(s).padStart(2, '0')}` : `${mm}:${String(s).padStart(2, '0')}`;
}

/** A share (0..1) as a whole percentage; '–' when unknown. */
export function pct(x) {
  return x === null || x === undefined ? '–' : `${Math.round(x * 100)}%`;
}

/** The element with this id. */
export const byId = (id) => document.getElementById(id);
/** The first element with this data-testid. */
export const byTest = (id) => document.querySelector(`[data-testid="${id}"]`);

function setAttrs(node, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') node.textContent = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
}

/** el('p', {class: 'hint', text: 'Hello'}, ...children): attributes, `text`, `dataset`, `on<event>` handlers. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/** The same for SVG elements. */
export function svgEl(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/** Copy text to the clipboard; falls back to selecting `input` so the person can copy it themselves. */
export async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (e) {
    if (input) { input.focus(); input.select(); }
    try { return document.execCommand('copy'); } catch (e2) { return false; }
  }
}

function copyButton(text, input, testid, label) {
  const b = el('button', { type: 'button', class: 'secondary', 'data-testid': testid, 'aria-label': label, text: 'Copy' });
  b.addEventListener('click', async () => {
    b.textContent = (await copyText(input.value, input)) ? 'Copied' : 'Select and copy';
  });
  return b;
}

/** One person's link: the address in a read-only field, Copy, and Open (the owner's pages). */
export function linkRow(p, testid, extra = []) {
  const id = `link-${testid}`;
  const input = el('input', { id, readonly: true, value: p.link, 'data-testid': `link-${testid}`, class: 'link-field' });
  return el('li', { class: 'link-row' },
    el('label', { for: id, class: 'link-who', text: `${p.name} (${p.role})` }),
    input,
    el('span', { class: 'link-actions' },
      copyButton(p.link, input, `copy-${testid}`, `Copy ${p.name}'s link`),
      el('a', { href: p.link, target: '_blank', rel: 'noopener', 'aria-label': `Open ${p.name}'s link`, text: 'Open' }),
      ...extra));
}
