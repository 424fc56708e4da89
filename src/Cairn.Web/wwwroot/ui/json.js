// JSON text helpers that never go through numbers: what the user saves is exactly what they see (JSON.parse would
// round 64-bit integers, so the editor only uses it to check syntax).

/** Re-indents JSON text (2 spaces) by walking its characters; whitespace outside strings is dropped first. */
export function prettyJson(text, indent = '  ') {
  let out = '';
  let depth = 0;
  let inString = false;
  let escaped = false;
  const newline = () => '\n' + indent.repeat(depth);
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\n' || c === '\r' || c === '\t') continue;
    if (c === '"') { inString = true; out += c; continue; }
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      const next = nextNonSpace(text, i + 1);
      if (text[next] === close) { out += c + close; i = next; continue; }
      depth++;
      out += c + newline();
    } else if (c === '}' || c === ']') {
      depth--;
      out += newline() + c;
    } else if (c === ',') {
      out += ',' + newline();
    } else if (c === ':') {
      out += ': ';
    } else {
      out += c;
    }
  }
  return out;
}

function nextNonSpace(text, i) {
  while (i < text.length && ' \n\r\t'.includes(text[i])) i++;
  return i;
}

/** Checks a document body: null when it is a JSON object, else a sentence saying what is wrong and where. */
export function validateDocument(text) {
  if (!text.trim()) return 'The document is empty. Write a JSON object, for example {"name": "Ada"}.';
  let root;
  try {
    root = checkJson(text);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    const before = text.slice(0, e.position);
    const line = before.split('\n').length;
    const column = e.position - before.lastIndexOf('\n');
    return `The JSON is not valid: ${e.message} (line ${line}, column ${column}).`;
  }
  if (root !== 'object') return `A document must be a JSON object (in braces { }), not ${root === 'array' ? 'an array' : `a ${root}`}.`;
  return null;
}

class JsonSyntaxError extends Error {
  constructor(message, position) {
    super(message);
    this.position = position;
  }
}

// A strict RFC 8259 syntax check that knows where it failed (engines' messages differ and may not say).
// Returns the root value's kind: object, array, string, number, boolean or null.
function checkJson(text) {
  let i = 0;
  const fail = (message) => { throw new JsonSyntaxError(message, i); };
  const space = () => { while (i < text.length && ' \t\n\r'.includes(text[i])) i++; };
  const describe = () => (i >= text.length ? 'the text ended' : `found ${JSON.stringify(text[i])}`);
  const literal = (word, kind) => {
    if (text.startsWith(word, i)) { i += word.length; return kind; }
    return fail(`a value was expected but ${describe()}`);
  };
  function string() {
    i++;
    while (i < text.length) {
      const c = text[i];
      if (c === '"') { i++; return 'string'; }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('\\u must be followed by 4 hexadecimal digits');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail('this escape sequence is not allowed in JSON');
      } else if (c < ' ') fail('control characters (such as line breaks) must be escaped inside a string');
      else i++;
    }
    return fail('a string is not closed (missing ")');
  }
  function number() {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail(`a value was expected but ${describe()}`);
    i += m[0].length;
    return 'number';
  }
  function container(open, close, member) {
    i++;
    space();
    if (text[i] === close) { i++; return; }
    for (;;) {
      member();
      space();
      if (text[i] === ',') { i++; space(); continue; }
      if (text[i] === close) { i++; return; }
      fail(`"," or "${close}" was expected after ${open === '{' ? 'a member' : 'an item'} but ${describe()}`);
    }
  }
  function value() {
    space();
    const c = text[i];
    if (c === '{') {
      container('{', '}', () => {
        if (text[i] !== '"') fail(`a member name in double quotes was expected but ${describe()}`);
        string();
        space();
        if (text[i] !== ':') fail(`":" was expected after the member name but ${describe()}`);
        i++;
        value();
      });
      return 'object';
    }
    if (c === '[') { container('[', ']', value); return 'array'; }
    if (c === '"') return string();
    if (c === 't') return literal('true', 'boolean');
    if (c === 'f') return literal('false', 'boolean');
    if (c === 'n') return literal('null', 'null');
    return number();
  }
  const kind = value();
  space();
  if (i < text.length) fail(`nothing may follow the JSON value, but ${describe()}`);
  return kind;
}

const RAW = Symbol('raw JSON number');

/**
 * JSON.parse that keeps numbers JavaScript cannot hold exactly (64-bit integers, "1.0") as their source text, so a
 * preview shows what is stored. Uses the reviver's source-text context (current Chromium, Firefox and Safari).
 */
export function parseExact(text) {
  return JSON.parse(text, (key, value, context) =>
    typeof value === 'number' && context?.source !== undefined && String(value) !== context.source ? { [RAW]: context.source } : value);
}

/** JSON.stringify for values from parseExact (compact). */
export function stringifyExact(value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (value[RAW] !== undefined) return value[RAW];
  if (Array.isArray(value)) return `[${value.map(stringifyExact).join(',')}]`;
  return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${stringifyExact(v)}`).join(',')}}`;
}
