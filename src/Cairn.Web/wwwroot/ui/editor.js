// The document editor: view, create and edit one document as JSON text. Edits are compare-and-set (If-Match: the
// revision that was loaded); a 412 shows the server's current version with "reload" or "overwrite" (see conflict.js).
import { h, replace, announce, field, debounce } from './dom.js';
import { request, get, enc, revisionOf, ApiError } from './api.js';
import { prettyJson, validateDocument } from './json.js';
import { confirmAction } from './dialogs.js';
import { showConflict } from './conflict.js';

export function createEditor(container, { collectionName, onSaved, onClosed }) {
  // mode: closed | new | edit. revision: the one the text was loaded from (null: the document does not exist).
  const s = { mode: 'closed', id: null, revision: null, version: null, dirty: false, busy: false, token: 0 };

  const heading = h('h3', { id: 'editor-heading', tabindex: '-1' });
  const meta = h('p', { class: 'meta', id: 'editor-meta' });
  const idInput = h('input', { id: 'doc-id', autocomplete: 'off', spellcheck: 'false' });
  const idField = field('Id (leave empty for a generated, time-ordered id)', idInput);
  const text = h('textarea', { id: 'doc-json', class: 'json', spellcheck: 'false', 'aria-describedby': 'doc-error doc-json-hint' });
  const hint = h('span', { class: 'meta', id: 'doc-json-hint' }, 'A JSON object. Ctrl+S saves.');
  const error = h('p', { class: 'error', id: 'doc-error', role: 'alert' });
  const notice = h('div', { class: 'notice', id: 'doc-notice', role: 'status' });
  const conflictBox = h('div', { id: 'conflict-box' });
  const save = h('button', { type: 'button', class: 'primary', id: 'save-document', onclick: () => saveDocument() }, 'Save');
  const format = h('button', { type: 'button', id: 'format-document', onclick: formatText }, 'Format');
  const remove = h('button', { type: 'button', class: 'danger', id: 'delete-document', onclick: () => deleteDocument() }, 'Delete');
  const close = h('button', { type: 'button', id: 'close-document', onclick: () => onClosed() }, 'Close');
  const panel = h('section', { class: 'panel', id: 'editor', 'aria-labelledby': 'editor-heading' }, heading, meta, idField,
    h('div', { class: 'field' }, h('label', { for: 'doc-json' }, 'Document JSON'), text, hint), error, notice, conflictBox,
    h('div', { class: 'buttons' }, save, format, remove, close));

  text.addEventListener('input', () => { s.dirty = true; revalidate(); });
  text.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') { e.preventDefault(); saveDocument(); }
  });
  const revalidate = debounce(() => showValidation(validateDocument(text.value), false), 400);

  function showValidation(problem, focus) {
    error.textContent = problem ?? '';
    if (problem) text.setAttribute('aria-invalid', 'true');
    else text.removeAttribute('aria-invalid');
    if (problem && focus) text.focus();
    return !problem;
  }

  function showMeta() {
    const path = `${collectionName()}/${s.id}`;
    heading.textContent = s.mode === 'new' ? `New document in ${collectionName()}` : `Document ${path}`;
    meta.textContent = s.mode === 'new' ? '' : s.revision === null ? 'Not on the server (deleted).'
      : `Revision ${s.revision} · version ${s.version ?? '?'}`;
    idField.hidden = s.mode !== 'new';
    remove.hidden = s.mode !== 'edit';
  }

  function reset(mode) {
    s.mode = mode;
    s.token += 1; // answers to requests made before this point are ignored
    s.dirty = false;
    s.busy = false;
    error.textContent = '';
    notice.textContent = '';
    conflictBox.replaceChildren();
    text.removeAttribute('aria-invalid');
    if (!panel.isConnected) container.replaceChildren(panel);
  }

  function setBusy(busy) {
    s.busy = busy;
    for (const b of [save, remove, format]) b.disabled = busy;
  }

  async function load(id, { quiet = false } = {}) {
    const token = s.token;
    try {
      const r = await get(`/v1/${enc(collectionName())}/${enc(id)}`);
      if (token !== s.token) return;
      s.revision = revisionOf(r.etag);
      s.version = Number(r.headers.get('X-Cairn-Version'));
      text.value = prettyJson(r.text);
      s.dirty = false;
      error.textContent = '';
      showMeta();
      if (quiet) announce(`${collectionName()}/${id} changed elsewhere; now showing revision ${s.revision}.`);
    } catch (e) {
      if (token !== s.token) return;
      if (e instanceof ApiError && e.status === 404) { s.revision = null; showMeta(); }
      error.textContent = e.message;
    }
  }

  async function open(id) {
    if (s.mode === 'edit' && s.id === id) return;
    reset('edit');
    s.id = id;
    s.revision = null;
    text.value = '';
    showMeta();
    await load(id);
    heading.focus();
  }

  function create() {
    if (s.mode === 'new') return;
    reset('new');
    s.id = null;
    s.revision = null;
    idInput.value = '';
    text.value = '{\n  \n}';
    showMeta();
    idInput.focus();
  }

  function formatText() {
    if (showValidation(validateDocument(text.value), true)) text.value = prettyJson(text.value);
  }

  /** Saves the text. expected: the revision to compare against (null: must not exist); defaults to the loaded one. */
  async function saveDocument(expected = s.revision) {
    if (s.busy || !showValidation(validateDocument(text.value), true)) return;
    const c = collectionName();
    const body = text.value;
    const token = s.token;
    setBusy(true);
    try {
      let r;
      if (s.mode === 'new' && !idInput.value.trim()) {
        r = await request('POST', `/v1/${enc(c)}`, { json: body });
      } else {
        const id = s.mode === 'new' ? idInput.value.trim() : s.id;
        const headers = expected === null ? { 'If-None-Match': '*' } : { 'If-Match': `"${expected}"` };
        r = await request('PUT', `/v1/${enc(c)}/${enc(id)}`, { json: body, headers });
      }
      if (token !== s.token) return;
      const wasNew = s.mode === 'new';
      s.mode = 'edit';
      s.id = r.data.id;
      s.revision = r.data.revision;
      s.version = r.data.version;
      s.dirty = false;
      conflictBox.replaceChildren();
      notice.textContent = '';
      showMeta();
      announce(`${wasNew ? 'Created' : 'Saved'} ${c}/${s.id} at revision ${s.revision}.`);
      onSaved();
      if (wasNew) location.hash = `#/collections/${enc(c)}/doc/${enc(s.id)}`;
    } catch (e) {
      if (token !== s.token) return;
      if (e instanceof ApiError && (e.kind === 'precondition-failed' || e.kind === 'already-exists') && s.mode === 'edit') await conflict('save');
      else error.textContent = e.message;
    } finally {
      if (token === s.token) setBusy(false);
    }
  }

  async function deleteDocument(expected = s.revision) {
    const c = collectionName();
    const ok = await confirmAction({
      title: `Delete ${c}/${s.id}?`,
      text: `The document ${s.id} will be removed from ${c} on every node. This cannot be undone.`,
      confirm: 'Delete document',
    });
    if (!ok) return;
    const token = s.token;
    setBusy(true);
    try {
      await request('DELETE', `/v1/${enc(c)}/${enc(s.id)}`, { headers: expected === null ? {} : { 'If-Match': `"${expected}"` } });
      if (token !== s.token) return;
      announce(`Deleted ${c}/${s.id}.`);
      onSaved();
      onClosed();
    } catch (e) {
      if (token !== s.token) return;
      if (e instanceof ApiError && e.kind === 'precondition-failed') await conflict('delete');
      else error.textContent = e.message;
    } finally {
      if (token === s.token) setBusy(false);
    }
  }

  // The server holds a newer version than the one the edit started from: fetch it and let the person choose.
  async function conflict(action) {
    error.textContent = '';
    notice.textContent = '';
    await showConflict(conflictBox, {
      url: `/v1/${enc(collectionName())}/${enc(s.id)}`,
      yours: s.revision,
      action,
      onReload: (current) => {
        conflictBox.replaceChildren();
        if (!current) { onClosed(); return; }
        s.revision = current.revision;
        s.version = current.version;
        text.value = prettyJson(current.text);
        s.dirty = false;
        showMeta();
        text.focus();
        announce(`Reloaded revision ${current.revision}; your edits were discarded.`);
      },
      onOverwrite: (current) => (action === 'delete' ? deleteDocument(current?.revision ?? null) : saveDocument(current?.revision ?? null)),
    });
  }

  /** A change from the feed to a document of this collection. */
  function remoteChange(e) {
    if (s.mode !== 'edit' || e.id !== s.id || (s.revision !== null && e.revision <= s.revision)) return;
    if (s.dirty || s.busy || conflictBox.childElementCount > 0) {
      replace(notice, e.type === 'put' ? `This document was changed elsewhere (revision ${e.revision}). Saving will ask what to do. `
        : 'This document was deleted elsewhere. Saving will ask what to do. ',
      h('button', { type: 'button', class: 'link', onclick: () => { notice.textContent = ''; load(s.id, { quiet: true }); } }, 'Discard my edits and show the current version'));
      return;
    }
    if (e.type === 'put') load(s.id, { quiet: true });
    else {
      s.revision = null;
      showMeta();
      notice.textContent = 'This document was deleted elsewhere. Save to create it again.';
      announce(notice.textContent);
    }
  }

  return {
    open,
    create,
    remoteChange,
    resync: () => { if (s.mode === 'edit' && !s.dirty) load(s.id, { quiet: true }); },
    close() {
      if (s.mode === 'closed') return;
      reset('closed');
      container.replaceChildren();
    },
  };
}
