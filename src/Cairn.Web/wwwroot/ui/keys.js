// Keys view: the raw key space (values, remaining TTL), set a key with an optional TTL, delete with confirmation.
// Follows the change feed: any key change reloads the page in view; remaining TTLs count down every second.
import { h, replace, debounce, announce, preview, field, formatDuration } from './dom.js';
import { get, request, enc } from './api.js';
import { onChange, isKeyChange, isResync } from './watch.js';
import { confirmAction } from './dialogs.js';

export const PAGE_SIZE = 50;
const RESERVED_PREFIX = '_cairn/'; // the cluster's own records: listed, read-only

export function mount(container) {
  const s = { prefix: '', cursors: [null], page: 0, next: null, items: [] };

  const keyInput = h('input', { id: 'key-name', autocomplete: 'off', spellcheck: 'false', required: true });
  const valueInput = h('textarea', { id: 'key-value', rows: '3', spellcheck: 'false' });
  const ttlInput = h('input', { id: 'key-ttl', autocomplete: 'off', spellcheck: 'false', placeholder: '30s' });
  const formError = h('p', { class: 'error', role: 'alert', id: 'key-error' });
  const form = h('form', { id: 'set-key', onsubmit: (e) => { e.preventDefault(); setKey(); } },
    h('div', { class: 'toolbar top' }, field('Key', keyInput), field('Time to live', ttlInput, 'For example 30s, 5m, 2h or 1d. Empty: never expires.')),
    field('Value (text)', valueInput), formError,
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', id: 'set-key-button' }, 'Set key')));

  const filter = h('input', { type: 'search', id: 'key-prefix', autocomplete: 'off', spellcheck: 'false', placeholder: 'key starts with…' });
  const status = h('p', { class: 'meta', role: 'status', id: 'keys-status' });
  const listError = h('p', { class: 'error', role: 'alert', id: 'keys-error' });
  const tbody = h('tbody');
  const prev = h('button', { type: 'button', id: 'keys-prev', onclick: () => goPage(s.page - 1) }, 'Previous page');
  const next = h('button', { type: 'button', id: 'keys-next', onclick: () => goPage(s.page + 1) }, 'Next page');
  container.append(
    h('section', { class: 'panel', 'aria-labelledby': 'set-key-heading' }, h('h2', { id: 'set-key-heading' }, 'Set a key'), form),
    h('section', { class: 'panel', 'aria-labelledby': 'keys-heading' }, h('h2', { id: 'keys-heading' }, 'Keys'),
      h('form', { class: 'toolbar', role: 'search', onsubmit: (e) => e.preventDefault() }, field('Filter by key prefix', filter)),
      status, listError,
      h('div', { class: 'table-wrap' }, h('table', { 'aria-labelledby': 'keys-heading', id: 'keys' },
        h('thead', {}, h('tr', {}, ['Key', 'Value', 'Expires in', 'Revision', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))), tbody)),
      h('div', { class: 'pager' }, prev, next)));

  filter.addEventListener('input', debounce(() => {
    s.prefix = filter.value;
    s.cursors = [null];
    s.page = 0;
    load();
  }, 250));

  async function setKey() {
    const key = keyInput.value;
    if (!key) {
      formError.textContent = 'Give the key a name.';
      keyInput.setAttribute('aria-invalid', 'true');
      keyInput.focus();
      return;
    }
    keyInput.removeAttribute('aria-invalid');
    const ttl = ttlInput.value.trim();
    try {
      const r = await request('PUT', `/v1/_kv/${key.split('/').map(enc).join('/')}${ttl ? `?ttl=${enc(ttl)}` : ''}`, { text: valueInput.value });
      formError.textContent = '';
      announce(`Set ${key} at revision ${r.data.revision}${ttl ? `, expiring in ${ttl}` : ''}.`);
      keyInput.value = '';
      valueInput.value = '';
      ttlInput.value = '';
      keyInput.focus();
      load();
    } catch (e) {
      formError.textContent = e.message;
    }
  }

  async function deleteKey(key) {
    const ok = await confirmAction({ title: `Delete key ${key}?`, text: `The key ${key} and its value will be removed on every node.`, confirm: 'Delete key' });
    if (!ok) return;
    try {
      await request('DELETE', `/v1/_kv/${key.split('/').map(enc).join('/')}`);
      listError.textContent = '';
      announce(`Deleted ${key}.`);
      load();
    } catch (e) {
      listError.textContent = e.message;
    }
  }

  function edit(item) {
    keyInput.value = item.key;
    valueInput.value = item.value ?? '';
    ttlInput.value = '';
    keyInput.focus();
  }

  async function load() {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (s.prefix) query.set('prefix', s.prefix);
    if (s.cursors[s.page]) query.set('after', s.cursors[s.page]);
    try {
      const { data } = await get(`/v1/_kv?${query}`);
      if (data.items.length === 0 && s.page > 0) {
        s.page -= 1;
        return load();
      }
      listError.textContent = '';
      s.items = data.items;
      s.next = data.next ?? null;
      render();
    } catch (e) {
      listError.textContent = e.message;
    }
  }

  function render() {
    replace(tbody, s.items.length === 0
      ? h('tr', {}, h('td', { colspan: '5', class: 'empty' }, s.prefix ? `No key starts with "${s.prefix}".` : 'No keys yet.'))
      : s.items.map((item) => {
        const readOnly = item.key.startsWith(RESERVED_PREFIX);
        return h('tr', { dataset: { key: item.key } },
          h('td', { class: 'mono' }, item.key),
          h('td', { class: 'mono preview' }, item.value !== undefined ? preview(item.value) : `(binary, ${atob(item.valueBase64).length} bytes)`),
          h('td', { class: 'num ttl', dataset: item.expiresAt ? { expires: String(item.expiresAt) } : {} }, item.expiresAt ? remaining(item.expiresAt) : 'never'),
          h('td', { class: 'num' }, String(item.revision)),
          h('td', {}, readOnly ? h('span', { class: 'meta' }, 'cluster record (read-only)') : [
            h('button', { type: 'button', 'aria-label': `Edit ${item.key}`, onclick: () => edit(item) }, 'Edit'), ' ',
            h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${item.key}`, onclick: () => deleteKey(item.key) }, 'Delete')]));
      }));
    const first = s.page * PAGE_SIZE + 1;
    status.textContent = s.items.length === 0 ? '' : `Showing keys ${first} to ${first + s.items.length - 1}${s.next ? '' : ' (last page)'}.`;
    prev.disabled = s.page === 0;
    next.disabled = !s.next;
  }

  function goPage(page) {
    if (page < 0 || (page > s.page && !s.next)) return;
    if (page > s.page) s.cursors[page] = s.next;
    s.page = page;
    load().then(() => announce(status.textContent));
  }

  // Remaining TTL by this browser's clock (the server's expiry instant is absolute).
  function remaining(expiresAt) {
    const ms = expiresAt - Date.now();
    return ms > 0 ? formatDuration(ms) : 'expired';
  }

  const tick = setInterval(() => {
    for (const cell of tbody.querySelectorAll('td[data-expires]')) cell.textContent = remaining(Number(cell.dataset.expires));
  }, 1000);
  const refresh = debounce(load, 120);
  const unsubscribe = onChange((e) => { if (isKeyChange(e) || isResync(e)) refresh(); });
  load();

  return {
    unmount() {
      clearInterval(tick);
      refresh.cancel();
      unsubscribe();
    },
  };
}
