import { parseExact } from './json.js';

// The one way the UI talks to the server: the public HTTP API on this page's own origin.
// Failures become ApiError, whose message is a sentence for people (from problem+json title and detail), never raw JSON.

const PROBLEM_PREFIX = 'urn:cairn:problem:';

export class ApiError extends Error {
  constructor(status, problem, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }

  /** The stable problem kind (e.g. "precondition-failed"), or null when the answer was not problem+json. */
  get kind() {
    const type = this.problem?.type;
    return typeof type === 'string' && type.startsWith(PROBLEM_PREFIX) ? type.slice(PROBLEM_PREFIX.length) : null;
  }
}

function sentence(text) {
  const s = String(text ?? '').trim();
  if (!s) return '';
  const first = s[0].toUpperCase() + s.slice(1);
  return /[.!?]$/.test(first) ? first : first + '.';
}

/** Turns an error answer into readable sentences. */
export function describeProblem(status, problem, statusText) {
  if (problem && (problem.title || problem.detail)) {
    const parts = [sentence(problem.title), sentence(problem.detail)];
    if (problem.mayHaveApplied) parts.push('The change may have been applied; check before repeating it.');
    else if (problem.retryable) parts.push('Trying again in a moment may work.');
    return parts.filter(Boolean).join(' ');
  }
  return `The server answered ${status}${statusText ? ' ' + statusText : ''}.`;
}

/**
 * Sends one request. Options: json (object or JSON text), text (raw body), headers, signal.
 * Resolves to { status, data, text, etag, headers }: data is parsed JSON for JSON answers (text keeps the exact bytes).
 */
export async function request(method, path, { json, text, headers = {}, signal } = {}) {
  const init = { method, headers: { ...headers }, signal, cache: 'no-store' };
  if (json !== undefined) {
    init.body = typeof json === 'string' ? json : JSON.stringify(json);
    init.headers['Content-Type'] = 'application/json';
  } else if (text !== undefined) {
    init.body = text;
    init.headers['Content-Type'] = 'application/octet-stream';
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, null, 'The server could not be reached. Check that the node is running and try again.');
  }
  const type = response.headers.get('Content-Type') ?? '';
  const body = response.status === 204 || response.status === 304 ? '' : await response.text();
  if (!response.ok && response.status !== 304) {
    let problem = null;
    if (type.includes('json')) {
      try { problem = JSON.parse(body); } catch { problem = null; }
    }
    throw new ApiError(response.status, problem, describeProblem(response.status, problem, response.statusText));
  }
  let data = null;
  if (type.includes('json') && body) data = parseExact(body);
  return { status: response.status, data, text: body, etag: response.headers.get('ETag'), headers: response.headers };
}

export const get = (path, opts) => request('GET', path, opts);

/** "42" from the ETag header value "\"42\"". */
export function revisionOf(etag) {
  const m = /^"(\d+)"$/.exec(etag ?? '');
  return m ? Number(m[1]) : null;
}

export const enc = encodeURIComponent;
