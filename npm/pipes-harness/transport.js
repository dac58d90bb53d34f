// HTTP for the control API: JSON in and out, errors rejected with serve's
// message. Every request carries `Content-Type: application/json` (a
// bodiless POST or DELETE sends `{}`) and, when a control token is set,
// `Authorization: Bearer <token>`. Node's own fetch: no dependency.
'use strict';

/** serve refused a control call; `message` is serve's own explanation. */
class ControlApiError extends Error {
  constructor(method, path, status, message, code, body) {
    super(`${method} ${path} answered ${status}${code ? ` ${code}` : ''}: ${message}`);
    this.name = 'ControlApiError';
    this.method = method;
    this.path = path;
    this.status = status;
    this.serverMessage = message;
    this.code = code;
    this.body = body;
  }
}

/** One URL path segment, escaped. */
function segment(value) {
  return encodeURIComponent(String(value));
}

/**
 * Turns an options object (camelCase keys) into body or query fields
 * (snake_case), refusing keys the operation does not know (`elsewhere`: keys
 * that go to the other of body and query).
 */
function pick(operation, options, names, elsewhere = []) {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${operation}: options must be an object, not ${JSON.stringify(options)}`);
  }
  const out = {};
  for (const [key, value] of Object.entries(options)) {
    if (!Object.hasOwn(names, key)) {
      if (elsewhere.includes(key)) continue;
      throw new TypeError(
        `${operation}: unknown option '${key}'; expected one of ${[...Object.keys(names), ...elsewhere].join(', ')}`,
      );
    }
    if (value !== undefined && value !== null) out[names[key]] = value;
  }
  return out;
}

class ControlTransport {
  /**
   * @param {string} controlUrl the PIPES_HARNESS_CONTROL_URL of the environment:
   *   http://127.0.0.1:<port>/_harness
   * @param {{ token?: string, timeoutMs?: number }} [options]
   */
  constructor(controlUrl, { token, timeoutMs = 60_000 } = {}) {
    const url = String(controlUrl || '').replace(/\/+$/, '');
    if (!url.endsWith('/_harness')) {
      throw new TypeError(
        `control URL ${JSON.stringify(controlUrl)} is not a control API URL: ` +
          'expected http://HOST:PORT/_harness (PIPES_HARNESS_CONTROL_URL)',
      );
    }
    this.controlUrl = url;
    this.origin = url.slice(0, -'/_harness'.length);
    this.token = token || undefined;
    this.timeoutMs = timeoutMs;
  }

  /** The client for the serve an environment points at. */
  static fromEnv(env = process.env, options = {}) {
    if (!env.PIPES_HARNESS_CONTROL_URL) {
      throw new TypeError(
        'PIPES_HARNESS_CONTROL_URL is not set: start serve with startServe() or pass the control URL',
      );
    }
    return new this(env.PIPES_HARNESS_CONTROL_URL, {
      token: env.PIPES_HARNESS_CONTROL_TOKEN,
      ...options,
    });
  }

  async request(method, path, body, query) {
    const headers = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let payload;
    if (body !== undefined) payload = JSON.stringify(body);
    else if (method !== 'GET') payload = '{}';
    let res;
    try {
      const search = new URLSearchParams();
      for (const [key, value] of Object.entries(query || {})) {
        if (value !== undefined && value !== null) search.append(key, String(value));
      }
      const qs = search.toString();
      const url = this.origin + path + (qs ? `?${qs}` : '');
      res = await fetch(url, {
        method,
        headers,
        body: payload,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new Error(
        `${method} ${this.origin}${path}: serve did not answer (${e.cause?.code || e.message}); is it still running?`,
        { cause: e },
      );
    }
    const text = await res.text();
    let parsed;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const message = parsed && typeof parsed.message === 'string' ? parsed.message : text.trim() || res.statusText;
      throw new ControlApiError(method, path, res.status, message, parsed?.code, parsed);
    }
    return parsed;
  }
}

module.exports = { ControlTransport, ControlApiError, segment, pick };
