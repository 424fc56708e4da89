// The page shell: hash routes (#/collections/users/doc/42, #/keys, #/feed, #/cluster), the tab bar, the feed's status.
import { connectWatch, onWatchState } from './watch.js';
import * as collections from './collections.js';
import * as keys from './keys.js';
import * as feed from './feed.js';
import * as cluster from './cluster.js';

const views = { collections, keys, feed, cluster };
const titles = { collections: 'Collections', keys: 'Keys', feed: 'Live feed', cluster: 'Cluster' };
let current = null; // { name, view, instance }

function parseRoute() {
  const raw = location.hash.startsWith('#/') ? location.hash.slice(2) : '';
  const parts = raw.split('/').filter((p) => p.length > 0).map((p) => decodeURIComponent(p));
  const name = views[parts[0]] ? parts[0] : 'collections';
  return { name, parts: views[parts[0]] ? parts.slice(1) : [] };
}

function route() {
  if (location.hash && !location.hash.startsWith('#/')) return; // an in-page anchor, not a route
  const { name, parts } = parseRoute();
  const main = document.getElementById('main');
  if (current && current.name === name && current.instance.update) {
    current.instance.update(parts);
  } else {
    if (current) current.instance.unmount?.();
    main.replaceChildren();
    current = { name, instance: views[name].mount(main, parts) };
    document.title = `${titles[name]} · Cairn data manager`;
  }
  for (const tab of document.querySelectorAll('.tabs a')) {
    if (tab.dataset.view === name) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
}

function showWatchState(state) {
  const box = document.getElementById('watch-state');
  const text = document.getElementById('watch-text');
  const retry = document.getElementById('watch-retry');
  box.dataset.state = state.status;
  text.textContent = {
    connecting: 'Connecting to the change feed…',
    live: 'Live',
    reconnecting: 'Change feed interrupted; reconnecting…',
    closed: 'Live updates stopped.',
  }[state.status];
  retry.hidden = state.status !== 'closed';
  const info = document.getElementById('node-info');
  info.textContent = state.node ? `node ${state.node}${state.revision !== null ? ` · revision ${state.revision}` : ''}` : '';
}

document.getElementById('skip').addEventListener('click', (e) => {
  e.preventDefault();
  document.getElementById('main').focus();
});
document.getElementById('watch-retry').addEventListener('click', connectWatch);
window.addEventListener('hashchange', route);
onWatchState(showWatchState);
feed.startCollecting();
connectWatch();
route();
