// Helpers shared by <odl-map> and <odl-catalogue>: territory syntax, timed fetch, safe links, DOM builder.
// Every remote string goes into the DOM through textContent / attribute setters (never innerHTML).

export const DEFAULT_DATAGOUV = 'https://www.data.gouv.fr';
export const DEFAULT_TIMEOUT_MS = 10000;
const KINDS = ['commune', 'epci', 'departement', 'region'];

/** "commune:34172" -> {kind: "commune", code: "34172", zone: "fr:commune:34172"}; null when absent or malformed. */
export function parseTerritory(value) {
  const m = /^\s*(commune|epci|departement|region)\s*:\s*([0-9AB]{2,9})\s*$/i.exec(value || '');
  if (!m) return null;
  const kind = m[1].toLowerCase();
  if (!KINDS.includes(kind)) return null;
  const code = m[2].toUpperCase();
  return { kind, code, zone: `fr:${kind}:${code}` };
}

/** Base URL without trailing slash (default data.gouv.fr). */
export function baseUrl(value, fallback = DEFAULT_DATAGOUV) {
  return (value || fallback).trim().replace(/\/+$/, '');
}

export function timeoutOf(el) {
  const ms = Number(el.getAttribute('timeout'));
  return Number.isFinite(ms) && ms > 0 ? ms : DEFAULT_TIMEOUT_MS;
}

/** Error carrying a kind the components translate: network | timeout | http | notfound | format. */
export class FetchError extends Error {
  constructor(kind, status = 0, url = '') {
    super(`${kind}${status ? ' ' + status : ''} ${url}`);
    this.kind = kind;
    this.status = status;
  }
}

/** fetch() with a time-out (AbortController); resolves to the Response (ok) or throws a FetchError. */
export async function fetchTimed(url, { timeout = DEFAULT_TIMEOUT_MS, signal, accept } = {}) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort('timeout'), timeout);
  const onAbort = () => ctrl.abort('cancelled');
  signal?.addEventListener('abort', onAbort);
  try {
    let res;
    try {
      res = await fetch(url, { signal: ctrl.signal, headers: accept ? { Accept: accept } : {}, credentials: 'omit' });
    } catch (err) {
      throw new FetchError(ctrl.signal.aborted && ctrl.signal.reason === 'timeout' ? 'timeout' : 'network', 0, url);
    }
    if (res.status === 404) throw new FetchError('notfound', 404, url);
    if (!res.ok) throw new FetchError('http', res.status, url);
    return res;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

export async function fetchJson(url, opts = {}) {
  const res = await fetchTimed(url, { ...opts, accept: 'application/json' });
  try {
    return await res.json();
  } catch {
    throw new FetchError('format', res.status, url);
  }
}

/** The URL as a string when it is absolute http(s) (resolved against the page), else null. */
export function safeHref(value) {
  if (typeof value !== 'string' || !value.trim()) return null;
  try {
    const url = new URL(value.trim(), document.baseURI);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * h('a', {className: 'x', href: ...}, child, ...): element with properties/attributes set one by one and
 * children appended as nodes or text nodes. Strings never become HTML.
 */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'className') node.className = value;
    else if (key === 'text') node.textContent = String(value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (key === 'hidden' || key === 'checked' || key === 'disabled') node[key] = Boolean(value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A link when the URL is http(s), else the text alone (a javascript: or data: URL is never clickable). */
export function safeLink(url, text, props = {}) {
  const href = safeHref(url);
  const label = String(text ?? url ?? '');
  return href ? h('a', { ...props, href, rel: 'noopener noreferrer' }, label) : h('span', { className: 'odl-nolink' }, label);
}

/**
 * Markdown -> a plain-text excerpt of at most `max` characters. Block by block: headings and tables are left
 * out (a table's pipes are no prose; the descriptions odl-geo writes list layers and fields in them), list
 * items and paragraphs are joined by " · " (by a space after a sentence's end); emphasis marks are removed only
 * around words, so snake_case names (VilleMTP_MTP_Fontaines) keep their underscores.
 */
export function markdownToText(md, max = 280) {
  const parts = [];
  for (let line of String(md ?? '').replace(/```[\s\S]*?(```|$)/g, '\n').split(/\r?\n/)) {
    line = line.trim();
    if (!line || /^(#{1,6}\s|\|)|^:?-{3,}:?\s*\||^=+$/.test(line) || /^([-*_]\s*){3,}$/.test(line)) {
      parts.push('');  // a blank line, a heading, a table row, a rule: a block ends, nothing kept
      continue;
    }
    const item = /^(>\s*)*([-*+]|\d+[.)])\s+/.test(line);
    line = line.replace(/^(>\s*)*(([-*+]|\d+[.)])\s+)?/, '');
    if (item) parts.push('');
    parts.push(line);
  }
  let s = '';
  for (const p of parts) {
    if (!p) { if (s && !s.endsWith(' · ')) s += ' · '; continue; }
    s += s && !s.endsWith(' · ') ? ' ' + p : p;
  }
  s = s.replace(/([.!?:;…]) · /g, '$1 ').replace(/^ · | · $/g, '')
    .replace(/<[^>]*>/g, ' ')                       // tags are dropped from the TEXT (still inserted as text)
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/(^|[^\p{L}\p{N}_\\])(\*\*|__|\*|_|~~)(?=\S)(.*?\S)\2(?![\p{L}\p{N}_])/gu, '$1$3')
    .replace(/\\([\\`*_{}[\]()#+\-.!|~>])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
  if (s.length > max) s = s.slice(0, max).replace(/\s+\S*$/, '').replace(/\s*·$/, '') + ' …';
  return s;
}

/** The element's own lang attribute: "en..." gives English, anything else French (the default). */
export function langOf(el) {
  return (el.getAttribute('lang') || 'fr').toLowerCase().startsWith('en') ? 'en' : 'fr';
}
