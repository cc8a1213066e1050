// The playground's only way to the API: every call carries the key from sessionStorage (never a URL or a cookie).

const KEY_ITEM = 'imagegen.playground.key';
const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
/** Long-poll length when the event stream is not available; the API allows up to 60 s. */
const WAIT_SECONDS = 30;

export const apiKey = {
  get: () => sessionStorage.getItem(KEY_ITEM) || '',
  set: (value) => (value ? sessionStorage.setItem(KEY_ITEM, value) : sessionStorage.removeItem(KEY_ITEM)),
};

export const isTerminal = (task) => TERMINAL.has(task.status);

/** An API refusal: the `error` object of the response (message, code, param) and the HTTP status. */
export class ApiError extends Error {
  constructor(status, error) {
    super(error && error.message ? error.message : `The API answered HTTP ${status}.`);
    this.status = status;
    this.code = error && error.code ? error.code : null;
    this.param = error && error.param ? error.param : null;
  }
}

function headers(extra) {
  return { Authorization: `Bearer ${apiKey.get()}`, ...extra };
}

async function send(path, init) {
  try {
    return await fetch(path, init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, { message: `Could not reach the API (${e.message}).` });
  }
}

async function parse(response) {
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy's error page, say): shown as text below.
  }
  if (!response.ok) {
    throw new ApiError(response.status, json && json.error ? json.error
      : { message: `HTTP ${response.status} ${response.statusText}${text ? `: ${text.slice(0, 200)}` : ''}` });
  }
  return json;
}

/** Calls the API and returns the parsed JSON body; throws ApiError with the API's own message otherwise. */
export async function call(method, path, { body, idempotencyKey, signal } = {}) {
  const extra = {};
  if (body !== undefined) extra['Content-Type'] = 'application/json';
  if (idempotencyKey) extra['Idempotency-Key'] = idempotencyKey;
  const response = await send(path, {
    method, headers: headers(extra), body: body === undefined ? undefined : JSON.stringify(body), signal,
  });
  return parse(response);
}

/** A random token from crypto.getRandomValues, which (unlike randomUUID) also works on plain-http origins. */
export function randomKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `pg-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Splits a server-sent event stream into {event, data} records (the SSE format; comments are dropped). */
async function* serverSentEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = text;
        else if (field === 'data') data.push(text);
      }
      if (data.length) yield { event, data: data.join('\n') };
    }
  }
}

/**
 * Follows a task to its end, calling onTask with every state seen. Uses the task's event stream through fetch
 * (EventSource cannot send the Authorization header) and falls back to ?wait= long-polls if the stream is
 * unavailable or ends early. Resolves with the terminal task; rejects with ApiError.
 */
export async function followTask(id, onTask, signal) {
  const path = `/v1/images/generations/${encodeURIComponent(id)}`;
  let last = null;
  const response = await send(path, { headers: headers({ Accept: 'text/event-stream' }), signal });
  const type = response.headers.get('Content-Type') || '';
  if (response.ok && type.startsWith('text/event-stream') && response.body) {
    try {
      for await (const { event, data } of serverSentEvents(response.body)) {
        if (event === 'error') throw new ApiError(0, JSON.parse(data));
        if (event === 'task') {
          last = JSON.parse(data);
          onTask(last);
          if (isTerminal(last)) return last;
        }
      }
    } catch (e) {
      if (e instanceof ApiError || e.name === 'AbortError') throw e;
      // A dropped connection: the long-polls below pick up where the stream stopped.
    }
  } else if (!response.ok) {
    await parse(response);
  }
  while (!last || !isTerminal(last)) {
    last = await call('GET', `${path}?wait=${WAIT_SECONDS}`, { signal });
    onTask(last);
  }
  return last;
}
