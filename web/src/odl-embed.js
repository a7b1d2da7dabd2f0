// Entry of the bundle (odl-embed.js): registers <odl-catalogue> and <odl-map>.
// The map (OpenLayers, ~90 % of the weight) is a separate chunk fetched with a dynamic import() only when an
// <odl-map> is connected, so a page with the catalogue alone stays small.
import './odl-catalogue.js';
import { h, langOf } from './common.js';
import { t } from './i18n.js';

let mapModule;
const loadMap = () => (mapModule ??= import('./map.js'));

export class OdlMap extends HTMLElement {
  static get observedAttributes() {
    return ['server', 'server-type', 'layers', 'theme', 'territory', 'filter-field', 'outline-src', 'datagouv', 'lang', 'height'];
  }

  connectedCallback() {
    if (this._impl || this._starting) return;
    this._starting = true;
    this.dataset.state = 'loading';
    this.setAttribute('aria-busy', 'true');
    const fallback = h('p', { className: 'odl-loading', text: t(langOf(this), 'loading') });
    this.append(fallback);
    loadMap().then(({ OdlMapView }) => {
      fallback.remove();
      this._starting = false;
      if (this.isConnected) this._impl = new OdlMapView(this);
    }, (err) => {
      this._starting = false;
      fallback.textContent = t(langOf(this), 'mapError', { why: String(err?.message || err) });
      fallback.className = 'odl-error';
      fallback.setAttribute('role', 'alert');
      this.dataset.state = 'error';
    });
  }

  /** The OpenLayers map (for scripts of the page that want more), or null before it is built. */
  get olMap() {
    return this._impl?.map ?? null;
  }

  disconnectedCallback() {
    this._impl?.destroy();
    this._impl = null;
  }

  attributeChangedCallback(_name, oldValue, newValue) {
    if (this._impl && oldValue !== newValue) {
      this._impl.destroy();
      this._impl = null;
      this.connectedCallback();
    }
  }
}

if (!customElements.get('odl-map')) customElements.define('odl-map', OdlMap);
