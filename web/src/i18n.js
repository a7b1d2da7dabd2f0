// Messages of both components, French first. t(lang, key, {var}) fills {var} placeholders (text only): a number
// written the language's way (« 1 234 », "1,234"), and {var:one|many} the words that agree with it (French: the
// singular for 0 and 1, « 1 jeu de données »; English: for 1 only), as odl_geo.numbers.fill writes the reports.
const MESSAGES = {
  fr: {
    loading: 'Chargement…',
    // catalogue
    catalogue: 'Catalogue de données ouvertes',
    search: 'Rechercher dans les jeux de données',
    searchButton: 'Rechercher',
    results: '{count} {count:jeu|jeux} de données',
    resultsFor: '{count} {count:jeu|jeux} de données pour « {q} »',
    updated: 'Mis à jour le {date}',
    formats: 'Formats : {list}',
    licence: 'Licence : {name}',
    schema: 'Schéma : {name}',
    resources: 'Fichiers',
    datasetPage: 'Voir la fiche sur data.gouv.fr',
    previous: 'Page précédente',
    next: 'Page suivante',
    page: 'Page {page} sur {pages}',
    pagination: 'Pages des résultats',
    empty: 'Aucun jeu de données publié pour cette sélection.',
    emptySearch: 'Aucun jeu de données ne correspond à « {q} ».',
    orgNotFound: "L'organisation « {org} » est introuvable sur {site}.",
    noOrg: "Ni organisation ni territoire indiqué : ajoutez l'attribut organization ou territory.",
    // shared errors
    errNetwork: 'Le serveur {site} ne répond pas (erreur réseau). Réessayez plus tard.',
    errTimeout: 'Le serveur {site} met trop de temps à répondre. Réessayez plus tard.',
    errHttp: 'Le serveur {site} a répondu par une erreur ({status}). Réessayez plus tard.',
    errFormat: 'Le serveur {site} a envoyé une réponse illisible.',
    // map
    map: 'Carte interactive',
    mapHelp: 'Carte : flèches pour se déplacer, + et − pour zoomer, Entrée pour interroger le centre, Échap pour fermer.',
    layers: 'Couches',
    legend: 'Légende : {title}',
    noLayer: 'Aucune couche du thème « {theme} » sur ce serveur cartographique.',
    noLayerAttr: "Aucune couche indiquée : ajoutez l'attribut layers ou theme.",
    noServer: "Aucun serveur cartographique indiqué : ajoutez l'attribut server.",
    mapError: 'La carte ne peut pas être affichée : {why}',
    imageError: "Le serveur cartographique n'a pas pu dessiner la carte.",
    outlineUnavailable: 'Contour du territoire indisponible : la carte montre l’étendue des couches.',
    zoomed: 'Zoom {zoom}.',
    panned: 'Carte déplacée vers {dir}.',
    north: 'le nord', south: 'le sud', east: "l'est", west: "l'ouest",
    info: 'Informations',
    infoNone: 'Aucun objet à cet endroit.',
    infoCount: '{count} {count:objet trouvé|objets trouvés}.',
    infoError: "Le serveur n'a pas pu donner les informations de cet endroit.",
    close: 'Fermer',
    attribution: 'Source : {text}',
    basemapCredit: 'Fond de plan : {text}',
    basemapError: 'Fond de plan indisponible : la carte montre les couches seules.',
    licenceLabel: 'Licence : ',
    ready: 'Carte chargée : {layers}.',
  },
  en: {
    loading: 'Loading…',
    catalogue: 'Open data catalogue',
    search: 'Search the datasets',
    searchButton: 'Search',
    results: '{count} {count:dataset|datasets}',
    resultsFor: '{count} {count:dataset|datasets} for “{q}”',
    updated: 'Updated on {date}',
    formats: 'Formats: {list}',
    licence: 'Licence: {name}',
    schema: 'Schema: {name}',
    resources: 'Files',
    datasetPage: 'See the page on data.gouv.fr',
    previous: 'Previous page',
    next: 'Next page',
    page: 'Page {page} of {pages}',
    pagination: 'Result pages',
    empty: 'No dataset published for this selection.',
    emptySearch: 'No dataset matches “{q}”.',
    orgNotFound: 'The organisation “{org}” was not found on {site}.',
    noOrg: 'No organisation nor territory given: add the organization or territory attribute.',
    errNetwork: 'The server {site} does not answer (network error). Please try again later.',
    errTimeout: 'The server {site} takes too long to answer. Please try again later.',
    errHttp: 'The server {site} answered with an error ({status}). Please try again later.',
    errFormat: 'The server {site} sent an unreadable answer.',
    map: 'Interactive map',
    mapHelp: 'Map: arrow keys to pan, + and − to zoom, Enter to query the centre, Escape to close.',
    layers: 'Layers',
    legend: 'Legend: {title}',
    noLayer: 'No layer of the theme “{theme}” on this map server.',
    noLayerAttr: 'No layer given: add the layers or theme attribute.',
    noServer: 'No map server given: add the server attribute.',
    mapError: 'The map cannot be shown: {why}',
    imageError: 'The map server could not draw the map.',
    outlineUnavailable: 'Territory outline unavailable: the map shows the extent of the layers.',
    zoomed: 'Zoom {zoom}.',
    panned: 'Map moved {dir}.',
    north: 'north', south: 'south', east: 'east', west: 'west',
    info: 'Information',
    infoNone: 'No feature here.',
    infoCount: '{count} {count:feature|features} found.',
    infoError: 'The server could not give the information for this place.',
    close: 'Close',
    attribution: 'Source: {text}',
    basemapCredit: 'Background map: {text}',
    basemapError: 'Background map unavailable: the map shows the layers alone.',
    licenceLabel: 'Licence: ',
    ready: 'Map loaded: {layers}.',
  },
};

const PLACEHOLDER = /\{(\w+)(?::([^{}|]*)\|([^{}|]*))?\}/g;

export function t(lang, key, vars = {}) {
  const table = MESSAGES[lang] || MESSAGES.fr;
  const text = table[key] ?? MESSAGES.fr[key] ?? key;
  const english = lang === 'en';
  return text.replace(PLACEHOLDER, (whole, name, one, many) => {
    if (!(name in vars)) return whole;
    const value = vars[name];
    if (one !== undefined) {
      const n = Math.abs(Number(value));
      return (english ? n === 1 : n < 2) ? one : many;
    }
    if (typeof value === 'number' && Number.isInteger(value)) {
      return new Intl.NumberFormat(english ? 'en-GB' : 'fr-FR').format(value);
    }
    return String(value);
  });
}

/** The translated message of a FetchError (common.js) for the server `site`. */
export function errorMessage(lang, err, site) {
  const kind = err?.kind;
  if (kind === 'timeout') return t(lang, 'errTimeout', { site });
  if (kind === 'http' || kind === 'notfound') return t(lang, 'errHttp', { site, status: err.status });
  if (kind === 'format') return t(lang, 'errFormat', { site });
  return t(lang, 'errNetwork', { site });
}

export function formatDate(lang, iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'fr-FR', { day: 'numeric', month: 'long', year: 'numeric' }).format(d);
}
