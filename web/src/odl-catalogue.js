// <odl-catalogue datagouv="https://www.data.gouv.fr" organization="id-or-slug" territory="commune:34172"
//                tag="a,b" page-size="10" lang="fr" timeout="10000">
//   <a href="https://www.data.gouv.fr/fr/organizations/...">Nos données sur data.gouv.fr</a>   (fallback)
// </odl-catalogue>
// Lists the datasets of an organisation and/or a territory from data.gouv.fr's API (udata /api/1/datasets/),
// from the visitor's browser: nothing is copied onto the website, an update shows on the next page load.
import { baseUrl, FetchError, fetchJson, h, langOf, markdownToText, parseTerritory, safeLink, timeoutOf } from './common.js';
import { errorMessage, formatDate, t } from './i18n.js';

const OBJECT_ID = /^[0-9a-f]{24}$/i;
const LICENCES = {
  lov2: 'Licence Ouverte v2.0', 'fr-lo': 'Licence Ouverte v1.0', 'odc-odbl': 'ODbL', 'odc-by': 'ODC-BY',
  'odc-pddl': 'ODC-PDDL', 'cc-by': 'CC-BY', 'cc-by-sa': 'CC-BY-SA', 'cc-zero': 'CC0', notspecified: '—',
};
let counter = 0;

export class OdlCatalogue extends HTMLElement {
  static get observedAttributes() {
    return ['datagouv', 'organization', 'territory', 'tag', 'page-size', 'lang'];
  }

  connectedCallback() {
    if (!this._body) this._setup();
    this._load();
  }

  disconnectedCallback() {
    this._abort?.abort();
  }

  attributeChangedCallback(_name, oldValue, newValue) {
    if (this._body && oldValue !== newValue) {
      this._orgId = undefined;
      this._page = 1;
      this._build();
      this._load();
    }
  }

  _setup() {
    this._uid = `odl-catalogue-${++counter}`;
    // Light-DOM children (e.g. a link to the organisation's page) are the no-JavaScript fallback: kept in a
    // wrapper shown while loading and when loading fails, hidden once the list is there.
    this._fallback = h('div', { className: 'odl-fallback' }, ...this.childNodes);
    this._body = h('div', { className: 'odl-catalogue' });
    this.replaceChildren(this._fallback, this._body);
    this._page = 1;
    this._q = '';
    this._build();
  }

  _build() {
    const lang = (this._lang = langOf(this));
    const inputId = `${this._uid}-q`;
    this._input = h('input', { type: 'search', id: inputId, name: 'q', autocomplete: 'off' });
    this._input.value = this._q;
    const form = h('form', { className: 'odl-search', role: 'search' },
      h('label', { for: inputId, text: t(lang, 'search') }), this._input,
      h('button', { type: 'submit', text: t(lang, 'searchButton') }));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this._q = this._input.value.trim();
      this._page = 1;
      this._load();
    });
    this._status = h('p', { className: 'odl-status', role: 'status', 'aria-live': 'polite', tabindex: '-1' });
    this._list = h('ul', { className: 'odl-datasets' });
    this._pager = h('nav', { className: 'odl-pager', 'aria-label': t(lang, 'pagination') });
    this._body.replaceChildren(form, this._status, this._list, this._pager);
    this._body.setAttribute('aria-label', t(lang, 'catalogue'));
    this._body.setAttribute('role', 'region');
  }

  get _site() {
    return baseUrl(this.getAttribute('datagouv'));
  }

  async _resolveOrganization(signal) {
    const org = (this.getAttribute('organization') || '').trim();
    if (!org) return null;
    if (OBJECT_ID.test(org)) return org;
    if (this._orgId) return this._orgId;
    const body = await fetchJson(`${this._site}/api/1/organizations/${encodeURIComponent(org)}/`,
      { timeout: timeoutOf(this), signal });
    if (!body || typeof body.id !== 'string') throw new FetchError('format');
    return (this._orgId = body.id);
  }

  async _load() {
    this._abort?.abort();
    const abort = (this._abort = new AbortController());
    const lang = this._lang;
    const site = this._site;
    this._setState('loading');
    this._status.textContent = t(lang, 'loading');
    const territory = parseTerritory(this.getAttribute('territory'));
    const orgAttr = (this.getAttribute('organization') || '').trim();
    if (!orgAttr && !territory) return this._fail(t(lang, 'noOrg'));
    let body;
    try {
      let orgId;
      try {
        orgId = await this._resolveOrganization(abort.signal);
      } catch (err) {
        if (err.kind === 'notfound') return this._fail(t(lang, 'orgNotFound', { org: orgAttr, site: new URL(site).host }));
        throw err;
      }
      const params = new URLSearchParams();
      if (orgId) params.set('organization', orgId);
      if (territory) params.set('geozone', territory.zone);
      for (const tag of (this.getAttribute('tag') || '').split(',').map((s) => s.trim()).filter(Boolean)) {
        params.append('tag', tag);
      }
      if (this._q) params.set('q', this._q);
      params.set('sort', '-last_update');
      params.set('page', String(this._page));
      params.set('page_size', String(this._pageSize()));
      body = await fetchJson(`${site}/api/1/datasets/?${params}`, { timeout: timeoutOf(this), signal: abort.signal });
      if (!body || !Array.isArray(body.data)) throw new FetchError('format');
    } catch (err) {
      if (abort.signal.aborted && this._abort !== abort) return undefined;  // superseded by a newer load
      console.warn('odl-catalogue:', err?.message || err);
      return this._fail(errorMessage(lang, err, new URL(site).host));
    }
    if (this._abort !== abort) return undefined;
    this._render(body);
    return undefined;
  }

  _pageSize() {
    const n = Number.parseInt(this.getAttribute('page-size') || '10', 10);
    return Number.isFinite(n) && n > 0 ? Math.min(n, 100) : 10;
  }

  _render(body) {
    const lang = this._lang;
    const total = Number(body.total) || 0;
    const items = body.data;
    this._list.replaceChildren(...items.map((d) => this._item(d)));
    if (!items.length) {
      this._status.textContent = this._q ? t(lang, 'emptySearch', { q: this._q }) : t(lang, 'empty');
    } else {
      this._status.textContent = this._q ? t(lang, 'resultsFor', { count: total, q: this._q }) : t(lang, 'results', { count: total });
    }
    this._renderPager(total);
    this._fallback.hidden = true;
    this._setState(items.length ? 'ready' : 'empty');
    this.dispatchEvent(new CustomEvent('odl-catalogue-loaded', { bubbles: true, composed: true, detail: { count: total, page: this._page } }));
  }

  _item(d) {
    const lang = this._lang;
    const title = String(d.title ?? '');
    // udata gives the page's URL; a udata without front end (intranet, tests) gives null: its /datasets/ path
    const page = d.page || `${this._site}/datasets/${encodeURIComponent(String(d.slug || d.id || ''))}/`;
    const heading = h('h3', { className: 'odl-title' }, safeLink(page, title));
    const meta = h('ul', { className: 'odl-meta' });
    const date = formatDate(lang, d.last_update || d.last_modified);
    if (date) meta.append(h('li', { text: t(lang, 'updated', { date }) }));
    const resources = Array.isArray(d.resources) ? d.resources : [];
    const formats = [...new Set(resources.map((r) => String(r.format || '').trim().toLowerCase()).filter(Boolean))];
    if (formats.length) meta.append(h('li', { text: t(lang, 'formats', { list: formats.join(', ') }) }));
    if (d.license) meta.append(h('li', { text: t(lang, 'licence', { name: LICENCES[d.license] || String(d.license) }) }));
    const schemas = [...new Set([d.schema, ...resources.map((r) => r.schema)]
      .map((s) => (s && typeof s === 'object' ? s.name : null)).filter(Boolean).map(String))];
    const badges = schemas.map((name) => h('span', { className: 'odl-badge', text: t(lang, 'schema', { name }) }));
    const files = resources.length
      ? h('details', { className: 'odl-resources' },
        h('summary', { text: `${t(lang, 'resources')} (${resources.length})` }),
        h('ul', {}, ...resources.map((r) => h('li', {},
          safeLink(r.url, r.title || r.url),
          r.format ? h('span', { className: 'odl-format', text: ` (${String(r.format)})` }) : null))))
      : null;
    return h('li', { className: 'odl-dataset' },
      heading,
      badges.length ? h('p', { className: 'odl-badges' }, ...badges) : null,
      h('p', { className: 'odl-excerpt', text: markdownToText(d.description) }),
      meta,
      files);
  }

  _renderPager(total) {
    const lang = this._lang;
    const pages = Math.max(1, Math.ceil(total / this._pageSize()));
    if (pages <= 1) {
      this._pager.replaceChildren();
      this._pager.hidden = true;
      return;
    }
    this._pager.hidden = false;
    const go = (page) => () => {
      this._page = page;
      // the button pressed may become disabled (last page): focus goes to the result count, read out
      this._load().then(() => this._status.focus());
    };
    this._pager.replaceChildren(
      h('button', { type: 'button', className: 'odl-prev', disabled: this._page <= 1, onclick: go(this._page - 1), text: t(lang, 'previous') }),
      h('span', { className: 'odl-page', text: t(lang, 'page', { page: this._page, pages }) }),
      h('button', { type: 'button', className: 'odl-next', disabled: this._page >= pages, onclick: go(this._page + 1), text: t(lang, 'next') }));
  }

  _fail(message) {
    this._list.replaceChildren();
    this._pager.replaceChildren();
    this._status.textContent = '';
    this._status.append(h('span', { className: 'odl-error', role: 'alert', text: message }));
    this._fallback.hidden = false;  // the webmaster's link to the organisation's page stays usable
    this._setState('error');
    this.dispatchEvent(new CustomEvent('odl-catalogue-loaded', { bubbles: true, composed: true, detail: { count: 0, error: message } }));
  }

  _setState(state) {
    this.dataset.state = state;
    this.setAttribute('aria-busy', state === 'loading' ? 'true' : 'false');
  }
}

if (!customElements.get('odl-catalogue')) customElements.define('odl-catalogue', OdlCatalogue);
