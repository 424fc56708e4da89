// Live feed: every change as it happens, from the page's one change-feed connection. Collection starts with the page
// (so nothing is missed while another view is open); the list is bounded, filterable, and can be paused.
import { h, replace, preview, formatTime, field } from './dom.js';
import { onChange } from './watch.js';

export const ITEMS_MAX = 500;

const feed = { items: [], held: [], paused: false, unseen: 0, view: null };

function label(e) {
  return e.key !== undefined ? `key ${e.key}` : `${e.collection}/${e.id}`;
}

/** Subscribes once, at page start. */
export function startCollecting() {
  onChange((e) => {
    let item;
    if (e.type === 'put' || e.type === 'delete' || e.type === 'expire') {
      if (e.snapshot) return; // items of a resync snapshot are state, not changes
      item = { at: new Date(), type: e.type, revision: e.revision, target: label(e), value: e.value ?? e.valueBase64 };
    } else if (e.type === 'overflow' || e.type === 'snapshot-begin') {
      item = { at: new Date(), type: 'marker', revision: e.revision, target: e.type === 'overflow'
        ? `The feed fell behind and resynchronizes after revision ${e.revision}.`
        : `The feed restarts from a snapshot at revision ${e.revision} (${e.reason}); changes before it are not listed.` };
    } else {
      return;
    }
    if (feed.paused) feed.held.push(item);
    else add([item]);
    if (!feed.view) {
      feed.unseen += 1;
      showBadge();
    }
    feed.view?.changed();
  });
}

function add(items) {
  feed.items.push(...items);
  if (feed.items.length > ITEMS_MAX) feed.items.splice(0, feed.items.length - ITEMS_MAX);
}

function showBadge() {
  const badge = document.getElementById('feed-badge');
  badge.hidden = feed.unseen === 0;
  badge.textContent = feed.unseen > 99 ? '99+' : String(feed.unseen);
  badge.setAttribute('aria-label', `${feed.unseen} new`);
}

export function mount(container) {
  feed.unseen = 0;
  showBadge();
  const filter = h('input', { type: 'search', id: 'feed-filter', autocomplete: 'off', spellcheck: 'false', placeholder: 'collection, id or key' });
  const type = h('select', { id: 'feed-type' }, ['all', 'put', 'delete', 'expire'].map((t) => h('option', { value: t }, t === 'all' ? 'all changes' : t)));
  const pause = h('button', { type: 'button', id: 'feed-pause', 'aria-pressed': String(feed.paused), onclick: togglePause });
  const clear = h('button', { type: 'button', id: 'feed-clear', onclick: () => { feed.items = []; render(); } }, 'Clear');
  const status = h('p', { class: 'meta', role: 'status', id: 'feed-status' });
  const list = h('ol', { class: 'feed', id: 'feed-list', role: 'log', 'aria-labelledby': 'feed-heading', 'aria-live': 'off' });
  container.append(h('section', { class: 'panel', 'aria-labelledby': 'feed-heading' },
    h('h2', { id: 'feed-heading' }, 'Live feed'),
    h('p', { class: 'meta' }, 'Every change applied on this node, newest first, as it happens.'),
    h('form', { class: 'toolbar', role: 'search', onsubmit: (e) => e.preventDefault() },
      field('Filter', filter), field('Show', type), pause, clear),
    status, list));
  filter.addEventListener('input', render);
  type.addEventListener('change', render);

  function togglePause() {
    feed.paused = !feed.paused;
    if (!feed.paused) {
      add(feed.held);
      feed.held = [];
    }
    render();
  }

  function matches(item) {
    const text = filter.value.trim().toLowerCase();
    if (type.value !== 'all' && item.type !== type.value) return false;
    return !text || item.type === 'marker' || item.target.toLowerCase().includes(text);
  }

  function render() {
    pause.textContent = feed.paused ? 'Resume' : 'Pause';
    pause.setAttribute('aria-pressed', String(feed.paused));
    const shown = feed.items.filter(matches).reverse();
    replace(list, shown.length === 0 ? h('li', { class: 'marker' }, feed.items.length === 0
      ? 'No changes yet. Changes made anywhere in the cluster appear here as this node applies them.'
      : 'No change matches the filter.')
      : shown.map((item) => item.type === 'marker'
        ? h('li', { class: 'marker' }, item.target)
        : h('li', { dataset: { type: item.type, target: item.target } },
          h('span', { class: 'time' }, formatTime(item.at)),
          h('span', { class: `type type-${item.type}` }, item.type),
          h('span', { class: 'num' }, `rev ${item.revision}`),
          h('span', { class: 'mono' }, item.target, item.value !== undefined ? h('span', { class: 'preview' }, ' = ', preview(item.value)) : null))));
    status.textContent = feed.paused
      ? `Paused: ${feed.held.length} new ${feed.held.length === 1 ? 'change is' : 'changes are'} waiting. Resume to show them.`
      : `${shown.length} of ${feed.items.length} changes shown.`;
  }

  feed.view = { changed: render };
  render();
  return { unmount() { feed.view = null; } };
}
