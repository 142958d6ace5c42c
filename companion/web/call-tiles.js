// The call's tiles: one per person, laid out for the session (a pair, a group, audio only).
import { byId, el } from '/static/common.js';

// The layout follows the session, never the tracks: one large remote video for a pair, a grid for
// a group, and name cards for an audio-only (phone-style) session. A tile is made for everyone at
// once, so names show before anyone's media arrives.
export function layoutTiles(info) {
  const others = info.participants.filter((p) => p.name !== info.you.name);
  const layout = info.session.mode !== 'video' ? 'audio' : others.length <= 1 ? 'pair' : 'group';
  byId('tiles').dataset.layout = layout;
  byId('call').dataset.layout = layout;
  // As square a grid as the group allows: 2 columns up to 4 people, 3 beyond.
  byId('tiles').style.setProperty('--cols', String(Math.min(3, Math.ceil(Math.sqrt(others.length)))));
  for (const p of others) addTile(p.name, `${p.name}${p.role ? ` (${p.role})` : ''}`).classList.add('remote');
}

export function tileOf(key) {
  return document.querySelector(`.tile[data-tile="${CSS.escape(key)}"]`);
}

function initials(label) {
  return label.split(/\s+/).filter((w) => /^\p{L}/u.test(w)).slice(0, 2).map((w) => w[0].toUpperCase()).join('');
}

export function addTile(key, label) {
  let tile = tileOf(key);
  if (tile) return tile;
  tile = el('figure', { class: 'tile', 'data-tile': key, 'data-testid': `tile-${key}` },
    el('span', { class: 'avatar', 'aria-hidden': 'true', text: initials(label) }),
    el('figcaption', { class: 'who', text: label }));
  if (key === 'self') byId('tiles').append(tile); else byId('tiles').insertBefore(tile, tileOf('self'));
  return tile;
}

export function showVideo(tile, stream, muted) {
  tile.querySelectorAll('video').forEach((v) => v.remove());
  const v = el('video', { autoplay: true, playsinline: true });
  v.muted = muted;
  v.srcObject = stream;
  tile.prepend(v);
  tile.classList.add('has-video');
}

export function attachRemote(slot, stream) {
  const tile = addTile(slot.name, `${slot.name}${slot.role ? ` (${slot.role})` : ''}`);
  tile.classList.add('remote');
  if (slot.kind === 'audio') {
    tile.querySelectorAll('audio').forEach((a) => a.remove());
    const a = el('audio', { autoplay: true });
    a.srcObject = stream;
    tile.append(a);
  } else {
    showVideo(tile, stream, false);
  }
}

