// The <odl-map> implementation, loaded on demand by odl-embed.js (a separate chunk holding OpenLayers).
// WMS (QGIS Server or GeoServer) drawn as one image per view; layers by name or by theme keyword
// (odl-geo:theme=<theme> in the WMS capabilities); territory outline from a GeoJSON URL or data.gouv.fr's zone
// API; GetFeatureInfo (JSON) shown as text with the schemas' field labels; keyboard operable. No background map
// unless the page asks for one (`basemap`): intranet first, no request to a third party by default.
import Map from 'ol/Map.js';
import View from 'ol/View.js';
import ImageLayer from 'ol/layer/Image.js';
import TileLayer from 'ol/layer/Tile.js';
import VectorLayer from 'ol/layer/Vector.js';
import ImageWMS from 'ol/source/ImageWMS.js';
import VectorSource from 'ol/source/Vector.js';
import XYZ from 'ol/source/XYZ.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import ScaleLine from 'ol/control/ScaleLine.js';
import { defaults as defaultControls } from 'ol/control/defaults.js';
import { defaults as defaultInteractions } from 'ol/interaction/defaults.js';
import Style from 'ol/style/Style.js';
import Stroke from 'ol/style/Stroke.js';
import { transformExtent } from 'ol/proj.js';
import { createEmpty, extend, isEmpty } from 'ol/extent.js';
import { baseUrl, fetchJson, fetchTimed, h, langOf, parseTerritory, safeHref, safeLink, timeoutOf } from './common.js';
import { errorMessage, t } from './i18n.js';
import LABELS from './labels.json';

const THEMES = ['hiking', 'water', 'pei', 'flood'];
const FRANCE = [-5.5, 41.2, 9.8, 51.2];  // lon/lat, shown when nothing else gives an extent
const SAFE_FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OUTLINE_STYLE = new Style({ stroke: new Stroke({ color: '#b3003b', width: 2.5, lineDash: [8, 5] }) });
let counter = 0;

/** Text of the first direct child element called `name` (namespace-agnostic). */
function child(node, name) {
  for (const c of node.children) if (c.localName === name) return c;
  return null;
}

/** Layers of a WMS 1.3.0 capabilities document: [{name, title, keywords, bbox: [w, s, e, n] | null}]. */
export function parseCapabilities(xml) {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  if (doc.getElementsByTagName('parsererror').length) throw Object.assign(new Error('capabilities'), { kind: 'format' });
  const layers = [];
  for (const node of doc.getElementsByTagNameNS('*', 'Layer')) {
    const name = child(node, 'Name')?.textContent.trim();
    if (!name) continue;
    const keywords = [...(child(node, 'KeywordList')?.children || [])].map((k) => k.textContent.trim());
    const box = child(node, 'EX_GeographicBoundingBox');
    let bbox = null;
    if (box) {
      const v = ['westBoundLongitude', 'southBoundLatitude', 'eastBoundLongitude', 'northBoundLatitude']
        .map((n) => Number(child(box, n)?.textContent));
      if (v.every(Number.isFinite)) bbox = v;
    }
    layers.push({ name, title: child(node, 'Title')?.textContent.trim() || name, keywords, bbox });
  }
  return layers;
}

function withParams(url, params) {
  const u = new URL(url, document.baseURI);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.href;
}

export class OdlMapView {
  constructor(el) {
    this.el = el;
    this.lang = langOf(el);
    this.uid = `odl-map-${++counter}`;
    this.abort = new AbortController();
    this.timeout = timeoutOf(el);
    this.server = (el.getAttribute('server') || '').trim();
    this.serverType = (el.getAttribute('server-type') || 'qgis').trim().toLowerCase() === 'geoserver' ? 'geoserver' : 'qgis';
    this.territory = parseTerritory(el.getAttribute('territory'));
    this.datagouv = baseUrl(el.getAttribute('datagouv'));
    this.readySent = false;
    this.buildDom();
    this.start().catch((err) => this.fail(t(this.lang, 'mapError', { why: String(err?.message || err) })));
  }

  // -- DOM ----------------------------------------------------------------------------------------------
  buildDom() {
    const { el, lang, uid } = this;
    const title = el.getAttribute('title');
    this.help = h('p', { className: 'odl-sr', id: `${uid}-help`, text: t(lang, 'mapHelp') });
    this.live = h('div', { className: 'odl-sr', 'aria-live': 'polite', 'aria-atomic': 'true' });
    this.target = h('div', {
      className: 'odl-map-target', tabindex: '0', role: 'application',
      'aria-label': title ? `${t(lang, 'map')} : ${title}` : t(lang, 'map'),
      'aria-describedby': `${uid}-help`,
    });
    this.popupBody = h('div', { className: 'odl-popup-body' });
    this.closeButton = h('button', { type: 'button', className: 'odl-popup-close', 'aria-label': t(lang, 'close'), text: '×' });
    this.closeButton.addEventListener('click', () => this.closePopup(true));
    this.popup = h('section', { className: 'odl-popup', hidden: true, role: 'dialog', 'aria-labelledby': `${uid}-info` },
      h('h4', { id: `${uid}-info`, text: t(lang, 'info') }), this.closeButton, this.popupBody);
    this.popup.addEventListener('keydown', (e) => { if (e.key === 'Escape') this.closePopup(true); });
    this.frame = h('div', { className: 'odl-map-frame' }, this.target, this.popup);
    const height = el.getAttribute('height');
    this.frame.style.height = height && CSS.supports('height', height) ? height : '400px';
    this.note = h('p', { className: 'odl-note', hidden: true });
    this.error = h('p', { className: 'odl-error', role: 'alert', hidden: true });
    this.switcher = h('fieldset', { className: 'odl-layers', hidden: true }, h('legend', { text: t(lang, 'layers') }));
    this.credits = h('p', { className: 'odl-credits' });
    const attribution = el.getAttribute('attribution');
    if (attribution) this.credits.append(h('span', { className: 'odl-attribution', text: t(lang, 'attribution', { text: attribution }) }));
    const basemapCredit = el.getAttribute('basemap') && el.getAttribute('basemap-attribution');
    if (basemapCredit) this.credits.append(h('span', { className: 'odl-basemap-credit', text: t(lang, 'basemapCredit', { text: basemapCredit }) }));
    const licence = el.getAttribute('licence');
    if (licence) {
      this.credits.append(h('span', { className: 'odl-licence' }, t(lang, 'licenceLabel'),
        safeHref(licence) && /^https?:/i.test(licence.trim()) ? safeLink(licence, licence) : licence));
    }
    this.root = h('div', { className: 'odl-map' },
      title ? h('h3', { className: 'odl-map-title', text: title }) : null,
      this.help, this.frame, this.note, this.error, this.switcher, this.credits, this.live);
    el.append(this.root);
  }

  say(text) {
    // a polite live region: screen readers read it when idle (zoom, pan, results)
    // cleared first so that the same sentence twice is read twice; the latest message wins
    this.live.textContent = '';
    clearTimeout(this.sayTimer);
    this.sayTimer = setTimeout(() => { this.live.textContent = text; }, 30);
  }

  setState(state) {
    this.el.dataset.state = state;
    this.el.setAttribute('aria-busy', state === 'loading' ? 'true' : 'false');
  }

  fail(message) {
    this.error.textContent = message;
    this.error.hidden = false;
    this.setState('error');
  }

  // -- start --------------------------------------------------------------------------------------------
  async start() {
    const { el, lang } = this;
    this.setState('loading');
    if (!this.server) return this.fail(t(lang, 'noServer'));
    const explicit = (el.getAttribute('layers') || '').split(',').map((s) => s.trim()).filter(Boolean);
    const themes = (el.getAttribute('theme') || '').split(/[\s,]+/).map((s) => s.trim().toLowerCase()).filter((s) => THEMES.includes(s));
    const serverHost = new URL(this.server, document.baseURI).host;
    // capabilities and outline are fetched together; the map is built once both are known, so its first
    // GetMap is already the territory's (not a wasted request for the whole world)
    const outlineP = this.loadOutline();
    let capabilities = null;
    try {
      const res = await fetchTimed(withParams(this.server, { SERVICE: 'WMS', VERSION: '1.3.0', REQUEST: 'GetCapabilities' }),
        { timeout: this.timeout, signal: this.abort.signal });
      capabilities = parseCapabilities(await res.text());
    } catch (err) {
      if (this.abort.signal.aborted) return undefined;
      // with explicit layers the map can work without the capabilities (titles = names, extent = outline)
      if (!explicit.length) return this.fail(errorMessage(lang, err, serverHost));
      console.warn('odl-map: no capabilities:', err?.message || err);
    }
    let layers;
    if (explicit.length) {
      layers = explicit.map((name) => capabilities?.find((l) => l.name === name) || { name, title: name, bbox: null });
    } else if (themes.length) {
      const wanted = themes.map((th) => `odl-geo:theme=${th}`);
      layers = capabilities.filter((l) => l.keywords.some((k) => wanted.includes(k)));
      if (!layers.length) {
        this.error.className = 'odl-error odl-empty';
        this.fail(t(lang, 'noLayer', { theme: themes.join(' ') }));
        this.setState('empty');
        return undefined;
      }
    } else {
      return this.fail(t(lang, 'noLayerAttr'));
    }
    this.layers = layers.map((l) => ({ ...l, visible: true }));
    const outline = await outlineP;
    if (this.abort.signal.aborted) return undefined;
    this.buildMap();
    this.buildSwitcher();
    this.fit(outline);
    return undefined;
  }

  filterParams(names) {
    const field = (this.el.getAttribute('filter-field') || '').trim();
    const tr = this.territory;
    const params = { FILTER: undefined, CQL_FILTER: undefined };
    if (!field || !SAFE_FIELD.test(field) || !tr || tr.kind !== 'commune' || !names.length) return params;
    if (this.serverType === 'geoserver') params.CQL_FILTER = names.map(() => `${field}='${tr.code}'`).join(';');
    else params.FILTER = names.map((n) => `${n}:"${field}" = '${tr.code}'`).join(';');
    return params;
  }

  visibleNames() {
    return this.layers.filter((l) => l.visible).map((l) => l.name);
  }

  buildMap() {
    const names = this.visibleNames();
    this.source = new ImageWMS({
      url: this.server,
      params: { LAYERS: names.join(','), FORMAT: 'image/png', TRANSPARENT: true, ...this.filterParams(names) },
      ratio: 1,
      serverType: this.serverType,
    });
    this.source.on('imageloadstart', () => { if (this.el.dataset.state !== 'ready') this.setState('loading'); });
    this.source.on('imageloadend', () => {
      this.error.hidden = true;
      this.map.once('rendercomplete', () => this.ready());
    });
    this.source.on('imageloaderror', () => {
      this.fail(t(this.lang, 'imageError'));
    });
    this.imageLayer = new ImageLayer({ source: this.source });
    this.outline = new VectorSource();
    const lang = this.lang;
    const basemap = this.basemapLayer();
    this.map = new Map({
      target: this.target,
      layers: [...(basemap ? [basemap] : []), this.imageLayer, new VectorLayer({ source: this.outline, style: OUTLINE_STYLE })],
      controls: defaultControls({
        attribution: false, rotate: false,
        zoomOptions: lang === 'fr' ? { zoomInTipLabel: 'Zoom avant', zoomOutTipLabel: 'Zoom arrière' } : {},
      }).extend([new ScaleLine()]),
      interactions: defaultInteractions({ keyboard: false }),  // our own keys: they also announce
      view: new View({ center: [0, 0], zoom: 2, maxZoom: 20 }),
    });
    this.map.on('singleclick', (e) => this.queryAt(e.coordinate));
    this.target.addEventListener('keydown', (e) => this.onKey(e));
  }

  /**
   * The optional background map (`basemap`, only http(s)): an XYZ template, which also covers a WMTS GetTile URL in
   * Web Mercator (IGN Géoplateforme `TILEMATRIXSET=PM&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}`), or else a WMS
   * (`basemap-layers`). Drawn as images: no CORS needed, only the CSP's img-src. A failure is said, not fatal.
   */
  basemapLayer() {
    const url = (this.el.getAttribute('basemap') || '').trim();
    if (!url || !/^https?:\/\//i.test(url) || !safeHref(url)) return null;
    const failed = () => {
      if (this.basemapFailed) return;
      this.basemapFailed = true;
      this.note.textContent = [this.note.hidden ? '' : this.note.textContent, t(this.lang, 'basemapError')].filter(Boolean).join(' ');
      this.note.hidden = false;
    };
    if (/\{z\}/.test(url) && /\{x\}/.test(url) && /\{y\}/.test(url)) {
      const source = new XYZ({ url, maxZoom: 19, transition: 0 });
      source.on('tileloaderror', failed);
      return new TileLayer({ source });
    }
    const layers = (this.el.getAttribute('basemap-layers') || '').trim();
    if (!layers) return null;
    const source = new ImageWMS({ url, params: { LAYERS: layers, FORMAT: 'image/png' }, ratio: 1 });
    source.on('imageloaderror', failed);
    return new ImageLayer({ source });
  }

  buildSwitcher() {
    const { lang, uid } = this;
    const items = this.layers.map((layer, i) => {
      const id = `${uid}-layer-${i}`;
      const box = h('input', { type: 'checkbox', id, checked: true });
      box.addEventListener('change', () => {
        layer.visible = box.checked;
        const names = this.visibleNames();
        this.imageLayer.setVisible(names.length > 0);
        if (names.length) this.source.updateParams({ LAYERS: names.join(','), ...this.filterParams(names) });
        this.say(`${layer.title} : ${box.checked ? '✓' : '✗'}`);
      });
      const legend = h('img', {
        className: 'odl-legend',
        alt: t(lang, 'legend', { title: layer.title }),
        // set once the first map image is drawn: a QGIS Server answers one request at a time, the map comes first
        'data-src': withParams(this.server, {
          SERVICE: 'WMS', VERSION: '1.3.0', REQUEST: 'GetLegendGraphic', FORMAT: 'image/png', LAYER: layer.name,
          SLD_VERSION: '1.1.0', ...(this.serverType === 'qgis' ? { LAYERTITLE: 'FALSE' } : {}),
        }),
      });
      legend.addEventListener('error', () => { legend.hidden = true; });
      return h('div', { className: 'odl-layer' }, box, h('label', { for: id, text: layer.title }), legend);
    });
    this.switcher.append(...items);
    this.switcher.hidden = false;
  }

  /** Features of the territory's outline (outline-src, else data.gouv.fr's zone API), or null; never throws. */
  async loadOutline() {
    const src = (this.el.getAttribute('outline-src') || '').trim();
    let url = null;
    if (src) url = new URL(src, document.baseURI).href;
    else if (this.territory) url = `${this.datagouv}/api/1/spatial/zone/${encodeURIComponent(this.territory.zone)}/`;
    if (!url) return null;
    let features = [];
    try {
      const body = await fetchJson(url, { timeout: this.timeout, signal: this.abort.signal });
      features = new GeoJSON().readFeatures(body, { dataProjection: 'EPSG:4326', featureProjection: 'EPSG:3857' })
        .filter((f) => f.getGeometry());
    } catch (err) {
      if (!this.abort.signal.aborted) console.warn('odl-map: no outline:', err?.message || err);
    }
    if (!features.length) {
      // data.gouv.fr's zones may have no geometry, or the site be unreachable (intranet): say so, go on
      this.note.textContent = t(this.lang, 'outlineUnavailable');
      this.note.hidden = false;
    }
    return features;
  }

  fit(features) {
    let extent = null;
    if (features?.length) {
      this.outline.addFeatures(features);
      extent = this.outline.getExtent();
    } else {
      extent = createEmpty();
      for (const l of this.layers) if (l.bbox) extend(extent, transformExtent(l.bbox, 'EPSG:4326', 'EPSG:3857'));
      if (isEmpty(extent)) extent = transformExtent(FRANCE, 'EPSG:4326', 'EPSG:3857');
    }
    this.map.getView().fit(extent, { size: this.map.getSize() || [this.target.clientWidth || 300, this.target.clientHeight || 300],
      padding: [20, 20, 20, 20], maxZoom: 17 });
  }

  ready() {
    if (this.el.dataset.state === 'error') return;
    this.setState('ready');
    if (this.readySent) return;
    this.readySent = true;
    for (const img of this.switcher.querySelectorAll('img[data-src]')) {
      img.src = img.dataset.src;
      img.removeAttribute('data-src');
    }
    this.say(t(this.lang, 'ready', { layers: this.layers.map((l) => l.title).join(', ') }));
    this.el.dispatchEvent(new CustomEvent('odl-map-ready', { bubbles: true, composed: true, detail: { layers: this.visibleNames() } }));
  }

  // -- keyboard -----------------------------------------------------------------------------------------
  onKey(e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const view = this.map.getView();
    const [w, hgt] = this.map.getSize() || [0, 0];
    const step = (view.getResolution() || 1) * Math.min(w, hgt) / 4;
    const pans = { ArrowUp: [0, step, 'north'], ArrowDown: [0, -step, 'south'], ArrowLeft: [-step, 0, 'west'], ArrowRight: [step, 0, 'east'] };
    if (pans[e.key]) {
      const [dx, dy, dir] = pans[e.key];
      const [x, y] = view.getCenter();
      view.setCenter([x + dx, y + dy]);
      this.say(t(this.lang, 'panned', { dir: t(this.lang, dir) }));
    } else if (e.key === '+' || e.key === '=' || e.key === '-' || e.key === '_') {
      const zoom = Math.round(view.getZoom() + (e.key === '+' || e.key === '=' ? 1 : -1));
      view.setZoom(Math.max(view.getMinZoom(), Math.min(view.getMaxZoom(), zoom)));
      this.say(t(this.lang, 'zoomed', { zoom: Math.round(view.getZoom()) }));
    } else if (e.key === 'Enter' || e.key === ' ') {
      this.queryAt(view.getCenter());
    } else if (e.key === 'Escape') {
      this.closePopup(true);
    } else {
      return;
    }
    e.preventDefault();
  }

  // -- feature info -------------------------------------------------------------------------------------
  async queryAt(coordinate) {
    const names = this.visibleNames();
    if (!names.length || !coordinate) return;
    const view = this.map.getView();
    const tolerance = this.serverType === 'qgis'
      ? { FI_POINT_TOLERANCE: 16, FI_LINE_TOLERANCE: 8, FI_POLYGON_TOLERANCE: 4 }
      : { BUFFER: 12 };
    const url = this.source.getFeatureInfoUrl(coordinate, view.getResolution(), view.getProjection(), {
      INFO_FORMAT: 'application/json', QUERY_LAYERS: names.join(','), FEATURE_COUNT: 10, ...tolerance,
    });
    if (!url) return;
    const serial = (this.query = (this.query || 0) + 1);
    let features;
    try {
      const body = await fetchJson(url, { timeout: this.timeout, signal: this.abort.signal });
      features = Array.isArray(body?.features) ? body.features : [];
    } catch (err) {
      if (this.abort.signal.aborted || serial !== this.query) return;
      console.warn('odl-map: GetFeatureInfo:', err?.message || err);
      this.showPopup([h('p', { className: 'odl-error', text: t(this.lang, 'infoError') })]);
      this.say(t(this.lang, 'infoError'));
      return;
    }
    if (serial !== this.query) return;
    const blocks = features.map((f) => this.featureBlock(f));
    this.showPopup(blocks.length ? blocks : [h('p', { text: t(this.lang, 'infoNone') })]);
    this.say(blocks.length ? t(this.lang, 'infoCount', { count: blocks.length }) : t(this.lang, 'infoNone'));
    this.el.dispatchEvent(new CustomEvent('odl-feature-info', {
      bubbles: true, composed: true,
      detail: { coordinate, features: features.map((f) => ({ id: f.id ?? null, properties: { ...(f.properties || {}) } })) },
    }));
  }

  featureBlock(feature) {
    const lang = this.lang;
    const id = String(feature.id ?? '');
    const layerName = id.includes('.') ? id.slice(0, id.lastIndexOf('.')) : '';
    // QGIS Server: "layer.fid"; GeoServer: "layer.fid" for the layer "workspace:layer"
    const layer = this.layers.find((l) => l.name === layerName || l.name.split(':').pop() === layerName);
    const dl = h('dl');
    for (const [field, value] of Object.entries(feature.properties || {})) {
      // fid: the GeoPackage's row number, meaningless to a visitor
      if (value === null || value === undefined || value === '' || typeof value === 'object' || field === 'fid') continue;
      const label = LABELS[field]?.[lang] || LABELS[field]?.fr || field;
      const text = String(value);
      const isUrl = /^https?:\/\//i.test(text.trim()) && safeHref(text);
      dl.append(h('dt', { text: label, title: field }), h('dd', {}, isUrl ? safeLink(text, text) : text));
    }
    return h('article', { className: 'odl-feature' }, layer ? h('h5', { text: layer.title }) : null, dl);
  }

  showPopup(children) {
    this.popupBody.replaceChildren(...children);
    this.popup.hidden = false;
  }

  closePopup(refocus) {
    if (this.popup.hidden) return;
    this.popup.hidden = true;
    if (refocus) this.target.focus();
  }

  destroy() {
    this.abort.abort();
    clearTimeout(this.sayTimer);
    this.map?.setTarget(null);
    this.root.remove();
  }
}
