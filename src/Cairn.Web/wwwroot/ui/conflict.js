// A failed compare-and-set (412): what the server holds now, and the two ways out — take the server's version
// (reload, discarding the edit) or apply the edit on top of it (overwrite, a new If-Match on the current revision).
import { h, replace } from './dom.js';
import { get, revisionOf, ApiError } from './api.js';
import { prettyJson } from './json.js';

/**
 * Fills `box` with the conflict panel. action: "save" or "delete". onReload(current) and onOverwrite(current) get
 * { revision, version, text } of the current version, or null when the document no longer exists.
 */
export async function showConflict(box, { url, yours, action, onReload, onOverwrite }) {
  let current = null;
  let failure = null;
  try {
    const r = await get(url);
    current = { revision: revisionOf(r.etag), version: Number(r.headers.get('X-Cairn-Version')), text: r.text };
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) failure = e.message;
  }
  const title = h('h4', { id: 'conflict-title', tabindex: '-1' }, 'Someone else changed this document');
  const yoursText = yours === null ? 'You were editing a document that did not exist' : `You were editing revision ${yours}`;
  const explanation = current
    ? `${yoursText}; the server now has revision ${current.revision} (version ${current.version}). Your ${action === 'delete' ? 'delete' : 'changes'} were not applied.`
    : failure ? `${yoursText}. The current version could not be read: ${failure}`
      : `${yoursText}; it has since been deleted. Your ${action === 'delete' ? 'delete' : 'changes'} were not applied.`;
  const overwriteLabel = action === 'delete' ? 'Delete it anyway' : current ? 'Overwrite with my version' : 'Create it again with my version';
  replace(box, h('div', { class: 'conflict', role: 'alert', 'aria-labelledby': 'conflict-title', id: 'conflict' },
    title,
    h('p', {}, explanation),
    current ? [h('p', { class: 'meta', id: 'conflict-current-label' }, `Current version on the server (revision ${current.revision}):`),
      h('pre', { class: 'json', id: 'conflict-current', 'aria-labelledby': 'conflict-current-label', tabindex: '0' }, prettyJson(current.text))] : null,
    h('div', { class: 'buttons' },
      h('button', { type: 'button', id: 'conflict-reload', onclick: () => onReload(current) },
        current ? 'Reload the current version (discard my edits)' : 'Discard my edits'),
      failure || (action === 'delete' && !current) ? null : h('button', { type: 'button', class: 'danger', id: 'conflict-overwrite', onclick: () => onOverwrite(current) }, overwriteLabel))));
  title.focus();
}
