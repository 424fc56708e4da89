import { parseExact } from './json.js';

// One change-feed connection for the whole page (Server-Sent Events from /v1/_watch, values included). Views subscribe
// to it; the browser's EventSource resumes by itself after a drop (Last-Event-ID), so nothing is missed or repeated.

const changeListeners = new Set();
const stateListeners = new Set();
let source = null;
let state = { status: 'connecting', node: null, revision: null };

/** Opens (or reopens) the connection. */
export function connectWatch() {
  if (source) source.close();
  setState({ status: 'connecting' });
  source = new EventSource('/v1/_watch?values=true');
  source.onopen = () => setState({ status: 'live' });
  source.onerror = () => {
    // CLOSED: the server refused (e.g. too many watchers); CONNECTING: the browser retries on its own.
    setState({ status: source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting' });
  };
  source.onmessage = (message) => {
    let event;
    try {
      event = parseExact(message.data);
    } catch {
      return;
    }
    if (event.type === 'start') setState({ status: 'live', node: event.node, revision: event.revision });
    else if (typeof event.revision === 'number') setState({ revision: Math.max(state.revision ?? 0, event.revision) });
    for (const listener of changeListeners) {
      try {
        listener(event);
      } catch (e) {
        reportError(e);
      }
    }
  };
}

/** Every message of the feed (put, delete, expire, progress, overflow, snapshot-*); returns the unsubscribe function. */
export function onChange(listener) {
  changeListeners.add(listener);
  return () => changeListeners.delete(listener);
}

export function onWatchState(listener) {
  stateListeners.add(listener);
  listener(state);
  return () => stateListeners.delete(listener);
}

export function watchState() {
  return state;
}

function setState(patch) {
  state = { ...state, ...patch };
  for (const listener of stateListeners) listener(state);
}

/** A change to a document (not a raw key, not a marker). */
export const isDocumentChange = (e) => (e.type === 'put' || e.type === 'delete' || e.type === 'expire') && e.collection !== undefined;

/** A change to a raw key. */
export const isKeyChange = (e) => (e.type === 'put' || e.type === 'delete' || e.type === 'expire') && e.key !== undefined;

/** The feed restarted from a snapshot: whatever a view holds may be stale as a whole. */
export const isResync = (e) => e.type === 'snapshot-begin' || e.type === 'overflow';
