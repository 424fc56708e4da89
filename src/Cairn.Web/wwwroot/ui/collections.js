// Collections view: the collections with their counts, one collection's documents (paged, filtered by id prefix), and
// the document editor. The open page follows the change feed: a change to the collection reloads the page in view.
import { h, replace, debounce, announce, preview, field } from './dom.js';
import { get, enc } from './api.js';
import { onChange, isDocumentChange, isResync } from './watch.js';
import { createEditor } from './editor.js';

export const PAGE_SIZE = 20;

export function mount(container, parts) {
  const s = { collection: null, prefix: '', cursors: [null], page: 0, next: null, docs: [], selected: null, route: [] };

  const sideList = h('ul', { class: 'side-list', id: 'collection-list' });
  const sideError = h('p', { class: 'error', role: 'alert' });
  const openInput = h('input', { id: 'open-collection', placeholder: 'e.g. users', autocomplete: 'off', spellcheck: 'false' });
  const openForm = h('form', { onsubmit: (e) => { e.preventDefault(); openCollection(openInput.value.trim()); } },
    field('Open or start a collection', openInput), h('div', { class: 'buttons' }, h('button', { type: 'submit' }, 'Open')));
  const sidebar = h('nav', { class: 'panel', 'aria-labelledby': 'collections-heading' },
    h('h2', { id: 'collections-heading' }, 'Collections'), sideList, sideError, openForm);
  const content = h('div', { id: 'collection-content' });
  container.append(h('div', { class: 'split' }, sidebar, content));

  const heading = h('h2', { id: 'documents-heading', tabindex: '-1' });
  const filter = h('input', { type: 'search', id: 'id-prefix', autocomplete: 'off', spellcheck: 'false', placeholder: 'id starts with…' });
  const newButton = h('button', { type: 'button', class: 'primary', id: 'new-document', onclick: () => { location.hash = `#/collections/${enc(s.collection)}/new`; } }, 'New document');
  const status = h('p', { class: 'meta', role: 'status', id: 'documents-status' });
  const tbody = h('tbody');
  const table = h('table', { 'aria-labelledby': 'documents-heading', id: 'documents' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Id'), h('th', { scope: 'col' }, 'Revision'),
      h('th', { scope: 'col', class: 'wide-only' }, 'Version'), h('th', { scope: 'col', class: 'wide-only' }, 'Content'))), tbody);
  const prev = h('button', { type: 'button', id: 'prev-page', onclick: () => goPage(s.page - 1) }, 'Previous page');
  const next = h('button', { type: 'button', id: 'next-page', onclick: () => goPage(s.page + 1) }, 'Next page');
  const listError = h('p', { class: 'error', role: 'alert', id: 'documents-error' });
  const editorBox = h('div', { id: 'editor-box' });
  const listPanel = h('section', { class: 'panel', 'aria-labelledby': 'documents-heading' }, heading,
    h('form', { class: 'toolbar', role: 'search', onsubmit: (e) => e.preventDefault() },
      field('Filter by id prefix', filter), newButton),
    status, listError, h('div', { class: 'table-wrap' }, table), h('div', { class: 'pager' }, prev, next));
  const editor = createEditor(editorBox, {
    collectionName: () => s.collection,
    onSaved: () => loadPage(),
    onClosed: () => { location.hash = `#/collections/${enc(s.collection)}`; },
  });

  filter.addEventListener('input', debounce(() => {
    s.prefix = filter.value;
    s.cursors = [null];
    s.page = 0;
    loadPage();
  }, 250));

  function openCollection(name) {
    if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(name)) {
      sideError.textContent = 'A collection name is 1 to 64 lowercase letters, digits, "-" or "_", starting with a letter or digit.';
      openInput.setAttribute('aria-invalid', 'true');
      openInput.focus();
      return;
    }
    sideError.textContent = '';
    openInput.removeAttribute('aria-invalid');
    openInput.value = '';
    location.hash = `#/collections/${enc(name)}`;
  }

  async function loadCollections() {
    try {
      const { data } = await get('/v1/_collections');
      sideError.textContent = '';
      const names = data.collections.map((c) => c.name);
      if (s.collection && !names.includes(s.collection)) data.collections.push({ name: s.collection, count: 0 });
      replace(sideList, data.collections.length === 0 ? h('li', { class: 'empty' }, 'No collections yet. Open one by name to add a document.') :
        data.collections.map((c) => h('li', {}, h('a', {
          href: `#/collections/${enc(c.name)}`, 'aria-current': c.name === s.collection ? 'page' : null, dataset: { collection: c.name },
        }, h('span', {}, c.name), h('span', { class: 'count' }, String(c.count), h('span', { class: 'visually-hidden' }, c.count === 1 ? ' document' : ' documents'))))));
    } catch (e) {
      sideError.textContent = e.message;
    }
  }

  async function loadPage() {
    if (!s.collection) return;
    const after = s.cursors[s.page];
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (after) query.set('after', after);
    if (s.prefix) query.set('prefix', s.prefix);
    try {
      const { data } = await get(`/v1/${enc(s.collection)}?${query}`);
      if (data.items.length === 0 && s.page > 0) {
        s.page -= 1;
        return loadPage();
      }
      listError.textContent = '';
      s.docs = data.items;
      s.next = data.next ?? null;
      renderRows();
    } catch (e) {
      listError.textContent = e.message;
    }
  }

  function renderRows() {
    replace(tbody, s.docs.length === 0
      ? h('tr', {}, h('td', { colspan: '4', class: 'empty' }, s.prefix ? `No document id starts with "${s.prefix}".` : 'This collection has no documents.'))
      : s.docs.map((d) => h('tr', { class: d.id === s.selected ? 'selected' : null, dataset: { id: d.id } },
        h('td', { class: 'mono' }, h('a', { href: `#/collections/${enc(s.collection)}/doc/${enc(d.id)}`, 'aria-current': d.id === s.selected ? 'true' : null }, d.id)),
        h('td', { class: 'num' }, String(d.revision)),
        h('td', { class: 'num wide-only' }, String(d.version)),
        h('td', { class: 'mono preview wide-only' }, preview(d.document)))));
    const first = s.page * PAGE_SIZE + 1;
    status.textContent = s.docs.length === 0 ? '' : `Showing documents ${first} to ${first + s.docs.length - 1}${s.next ? '' : ' (last page)'}.`;
    prev.disabled = s.page === 0;
    next.disabled = !s.next;
  }

  function goPage(page) {
    if (page < 0 || (page > s.page && !s.next)) return;
    if (page > s.page) s.cursors[page] = s.next;
    s.page = page;
    loadPage().then(() => announce(status.textContent));
  }

  const refreshPage = debounce(loadPage, 120);
  const refreshCollections = debounce(loadCollections, 200);
  const unsubscribe = onChange((e) => {
    if (isResync(e)) {
      refreshCollections();
      refreshPage();
      editor.resync();
      return;
    }
    if (!isDocumentChange(e)) return;
    refreshCollections();
    if (e.collection === s.collection) {
      refreshPage();
      editor.remoteChange(e);
    }
  });

  function update(route) {
    const [collection, mode, id] = route;
    if (collection !== s.collection) {
      s.collection = collection ?? null;
      s.prefix = '';
      filter.value = '';
      s.cursors = [null];
      s.page = 0;
      s.docs = [];
      if (s.collection) {
        heading.textContent = `Documents in ${s.collection}`;
        replace(content, listPanel, editorBox);
        loadPage();
      } else {
        replace(content, h('section', { class: 'panel' }, h('h2', {}, 'Pick a collection'),
          h('p', {}, 'Choose a collection on the left, or open one by name to add its first document.')));
      }
      loadCollections();
    }
    s.selected = mode === 'doc' ? id : null;
    renderRows();
    if (mode === 'doc' && id !== undefined) editor.open(id);
    else if (mode === 'new') editor.create();
    else editor.close();
  }

  update(parts);
  return {
    update,
    unmount() {
      unsubscribe();
      refreshPage.cancel();
      refreshCollections.cancel();
      editor.close();
    },
  };
}
