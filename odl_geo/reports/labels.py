"""French and English words of the reports: the page's own text, and titles of the issue codes that are not checks
(the registry holds the checks' titles). Unknown codes fall back to the code itself."""

from __future__ import annotations

from ..checks.registry import REGISTRY
from .labels_ppr import PPR_TITLES

__all__ = ["CODE_HELP", "CODE_TITLES", "UI", "code_help", "code_title", "t"]

UI: dict[str, dict[str, str]] = {
    "title": {"fr": "Rapport de contrôle", "en": "Quality report"},
    "theme": {"fr": "Thème", "en": "Theme"},
    "no_theme": {"fr": "contrôles génériques (sans thème)", "en": "generic checks (no theme)"},
    "schema": {"fr": "Schéma", "en": "Schema"},
    "area": {"fr": "Territoire déclaré", "en": "Declared area"},
    "generated": {"fr": "Produit par odl-geo", "en": "Made by odl-geo"},
    "verdict_ok": {"fr": "Publiable : aucune erreur bloquante.", "en": "Publishable: no blocking error."},
    "verdict_ko": {"fr": "À corriger avant publication.", "en": "To be corrected before publishing."},
    "errors": {"fr": "erreurs", "en": "errors"},
    "warnings": {"fr": "avertissements", "en": "warnings"},
    "infos": {"fr": "informations", "en": "notes"},
    # the same words after a count that takes the singular (0 or 1 in French, 1 in English: odl_geo.numbers.agree)
    "errors_one": {"fr": "erreur", "en": "error"},
    "warnings_one": {"fr": "avertissement", "en": "warning"},
    "infos_one": {"fr": "information", "en": "note"},
    "features_one": {"fr": "objet", "en": "feature"},
    "changes": {"fr": "modifications", "en": "changes"},
    "changes_one": {"fr": "modification", "en": "change"},
    "layer": {"fr": "Couche", "en": "Layer"},
    "features": {"fr": "objets", "en": "features"},
    "crs": {"fr": "SCR", "en": "CRS"},
    "map": {"fr": "Aperçu : en rouge, les objets signalés", "en": "Preview: flagged features in red"},
    "map_alt": {"fr": "carte de la couche", "en": "map of the layer"},
    "no_map": {"fr": "Pas d'aperçu (table sans géométrie).", "en": "No preview (a table without geometry)."},
    "problems": {"fr": "Problèmes trouvés", "en": "Problems found"},
    "none": {"fr": "Aucun problème.", "en": "No problem."},
    "severity": {"fr": "Gravité", "en": "Severity"},
    "code": {"fr": "Code", "en": "Code"},
    "what": {"fr": "Constat", "en": "Finding"},
    "todo": {"fr": "Que faire", "en": "What to do"},
    "count": {"fr": "Nb", "en": "Count"},
    "examples": {"fr": "Objets (n°)", "en": "Features (#)"},
    "fields": {"fr": "Correspondance des champs", "en": "Field mapping"},
    "target": {"fr": "Champ du schéma", "en": "Schema field"},
    "source": {"fr": "Champ source", "en": "Source field"},
    "how": {"fr": "Comment", "en": "How"},
    "unmapped": {"fr": "non trouvé", "en": "not found"},
    "required": {"fr": "obligatoire", "en": "required"},
    "anonymisation": {"fr": "Données personnelles retirées", "en": "Personal data removed"},
    "no_anon": {"fr": "Aucune donnée personnelle trouvée.", "en": "No personal data found."},
    "field": {"fr": "Champ", "en": "Field"},
    "action": {"fr": "Action", "en": "Action"},
    "reason": {"fr": "Motif", "en": "Reason"},
    "fixes": {
        "fr": "Corrections automatiques appliquées (copie corrigée)",
        "en": "Automatic fixes applied (corrected copy)",
    },
    # {shown}: a count with its word (« 20 modifications », « 1 modification », "1 change")
    "changes_sample": {
        "fr": "{shown} sur {total} ; toutes sont dans {file}.",
        "en": "{shown} of {total}; all of them are in {file}.",
    },
    "changes_all": {"fr": "{shown}, aussi dans {file}.", "en": "{shown}, also in {file}."},
    "feature": {"fr": "Objet", "en": "Feature"},
    "old": {"fr": "Avant", "en": "Before"},
    "new": {"fr": "Après", "en": "After"},
    "files": {"fr": "Fichiers produits", "en": "Files written"},
    "checks_run": {"fr": "Contrôles exécutés", "en": "Checks run"},
    "source_issues": {"fr": "Source", "en": "Source"},
    "error": {"fr": "erreur", "en": "error"},
    "warning": {"fr": "avertissement", "en": "warning"},
    "info": {"fr": "info", "en": "info"},
    "corrected": {"fr": "Copie corrigée", "en": "Corrected copy"},
    # removal actions
    "dropped": {"fr": "vidé", "en": "dropped"},
    "masked": {"fr": "masqué", "en": "masked"},
    "not published": {"fr": "non publié", "en": "not published"},
    "found in text": {"fr": "trouvé dans le texte (à vérifier)", "en": "found in text (to check)"},
    "masked in text": {"fr": "masqué dans le texte", "en": "masked in text"},
    # how a field was matched
    "exact": {"fr": "même nom", "en": "same name"},
    "normalised": {"fr": "nom proche (casse, accents)", "en": "same name (case, accents)"},
    "synonym": {"fr": "synonyme connu", "en": "known synonym"},
    "mapping": {"fr": "fichier de correspondance", "en": "mapping file"},
    "constant": {"fr": "valeur constante", "en": "constant value"},
    "computed": {"fr": "calculé depuis la géométrie", "en": "computed from the geometry"},
    "fuzzy": {"fr": "ressemblance (à vérifier)", "en": "resemblance (to check)"},
    # anonymisation reasons
    "personal field of the schema": {"fr": "champ personnel du schéma", "en": "personal field of the schema"},
    "listed in [anonymise]": {"fr": "listé dans [anonymise]", "en": "listed in [anonymise]"},
    "personal source field outside the schema": {
        "fr": "champ personnel de la source, hors schéma",
        "en": "personal source field outside the schema",
    },
    "phone number": {"fr": "numéro de téléphone", "en": "phone number"},
    "e-mail address": {"fr": "adresse électronique", "en": "e-mail address"},
    "personal-looking e-mail address": {
        "fr": "adresse électronique d'apparence personnelle",
        "en": "personal-looking e-mail address",
    },
    "personal-looking phone number": {"fr": "numéro de portable", "en": "personal-looking phone number"},
    "personal-looking e-mail address and phone number": {
        "fr": "adresse électronique et numéro de portable d'apparence personnelle",
        "en": "personal-looking e-mail address and phone number",
    },
    "e-mail address and phone number": {
        "fr": "adresse électronique et numéro de téléphone",
        "en": "e-mail address and phone number",
    },
}

#: what to do, for the codes that are not checks (checks carry their own help)
CODE_HELP: dict[str, dict[str, str]] = {
    "SCHEMA_INVALID": {
        "fr": "Le validateur officiel refuse le produit : voyez les autres problèmes de la couche pour la cause.",
        "en": "The official validator rejects the product: see the other issues of this layer for the cause.",
    },
    "ANON_CONTACT_IN_TEXT": {
        "fr": "Le masquage a été désactivé (--no-mask-free-text ou mask_free_text = false) : s'il s'agit d'un "
        "particulier, relancez sans, elles seront masquées.",
        "en": "Masking was turned off (--no-mask-free-text or mask_free_text = false): if they are a private "
        "person's, run again without it, they are then masked.",
    },
    "ANON_TEXT_MASKED": {
        "fr": "Vérifiez qu'il ne s'agissait pas d'un service public ; pour les publier, mask_free_text = false dans "
        "[anonymise] (ou --no-mask-free-text).",
        "en": "Check they were not a public service's; to publish them, mask_free_text = false in [anonymise] (or "
        "--no-mask-free-text).",
    },
    "VALUE_NOT_CONVERTED": {
        "fr": "Corrigez ces valeurs dans la source, ou associez un autre champ dans le fichier de correspondance.",
        "en": "Correct them in the source, or map another field with a mapping file.",
    },
    "FIELD_MATCH_FUZZY": {
        "fr": "Vérifiez ces associations ; confirmez-les ou corrigez-les dans [fields] du fichier de correspondance.",
        "en": "Check them; confirm or correct them in a mapping file [fields].",
    },
    "LINES_NOT_CONNECTED": {
        "fr": "Raccordez les tronçons dans un SIG (ou découpez l'itinéraire en étapes) puis relancez.",
        "en": "Join the parts in a GIS (or split the trail into stages) and run again.",
    },
    "ROLE_MISSING": {"fr": "Ajoutez la couche manquante, ou nommez-la comme attendu.", "en": "Add the missing layer."},
    "LAYER_IGNORED": {"fr": "Choisissez la bonne couche avec --layer.", "en": "Use --layer to pick the right one."},
    "ANON_DISABLED": {
        "fr": "Vérifiez qu'aucune donnée personnelle n'est publiée.",
        "en": "Make sure no personal data is published.",
    },
}

CODE_TITLES: dict[str, dict[str, str]] = {
    "SCHEMA_VALID": {"fr": "Conforme au schéma officiel", "en": "Valid against the official schema"},
    "SCHEMA_INVALID": {"fr": "Non conforme au schéma officiel", "en": "Not valid against the official schema"},
    "ENUM_VALUES_MAPPED": {"fr": "Valeurs ramenées aux codes", "en": "Values mapped to codes"},
    "VALUE_NOT_CONVERTED": {"fr": "Valeur de type incorrect", "en": "Value of the wrong type"},
    "FIELD_MATCH_FUZZY": {"fr": "Champ associé par ressemblance", "en": "Field matched by resemblance"},
    "FIELD_NOT_PUBLISHED": {"fr": "Champs hors schéma", "en": "Fields outside the schema"},
    "ANON_FIELD_REMOVED": {"fr": "Donnée personnelle retirée", "en": "Personal data removed"},
    "ANON_SOURCE_FIELD_DROPPED": {"fr": "Champ personnel non publié", "en": "Personal field not published"},
    "ANON_CONTACT_IN_TEXT": {"fr": "Coordonnées dans un texte libre", "en": "Contact details in free text"},
    "ANON_TEXT_MASKED": {"fr": "Coordonnées masquées", "en": "Contact details masked"},
    "ANON_DISABLED": {"fr": "Anonymisation désactivée", "en": "Anonymisation turned off"},
    "FIX_APPLIED": {"fr": "Correction appliquée", "en": "Fix applied"},
    "LAYER_RENAMED": {"fr": "Couche renommée dans les produits", "en": "Layer renamed in the products"},
    "THEME_MISMATCH": {"fr": "Thème probablement erroné", "en": "Probably the wrong theme"},
    "FEATURES_LEFT_OUT": {"fr": "Objets écartés", "en": "Features left out"},
    "ROLE_MISSING": {"fr": "Couche attendue absente", "en": "Expected layer missing"},
    "LAYER_IGNORED": {"fr": "Couche non utilisée", "en": "Layer not used"},
    "LINES_MERGED": {"fr": "Lignes jointes", "en": "Lines joined"},
    "GEOTREK_RECOGNISED": {"fr": "Export Geotrek reconnu", "en": "Geotrek export recognised"},
    "LINES_NOT_CONNECTED": {"fr": "Tronçons non raccordés", "en": "Parts not connected"},
    "CRS_MISSING": {"fr": "SCR absent", "en": "No CRS"},
    "CRS_REPROJECTED": {"fr": "Reprojection", "en": "Reprojected"},
    "CRS_ASSUMED_WGS84": {"fr": "WGS 84 supposé", "en": "WGS 84 assumed"},
    "ENCODING_TRANSCODED": {"fr": "Encodage converti", "en": "Encoding converted"},
    "ENCODING_GUESSED": {"fr": "Encodage deviné", "en": "Encoding guessed"},
    "GEOM_EMPTY": {"fr": "Objets sans géométrie", "en": "Features without geometry"},
    "GEOM_INVALID_REPAIRED": {"fr": "Géométries réparées", "en": "Geometries repaired"},
    "GEOM_DEGENERATE": {"fr": "Lignes de longueur nulle", "en": "Zero-length lines"},
    "GEOM_PARTS_DROPPED": {"fr": "Parties impossibles retirées", "en": "Impossible parts dropped"},
    "GEOM_EMPTY_RINGS_DROPPED": {"fr": "Trous vides retirés", "en": "Empty holes dropped"},
    "FIELD_RENAMED": {"fr": "Noms de champs nettoyés", "en": "Field names cleaned"},
    "FIELD_DECIMAL_COMMA": {"fr": "Virgules décimales lues", "en": "Decimal commas read"},
    # reading the source (odl_geo.sources, odl_geo.crs)
    "CRS_COORDS_NOT_DEGREES": {"fr": "Coordonnées qui ne sont pas des degrés", "en": "Coordinates not in degrees"},
    "CRS_COORDS_LOOK_DEGREES": {"fr": "Coordonnées en degrés, SCR en mètres", "en": "Degrees in a CRS of metres"},
    "CRS_UNKNOWN": {"fr": "SCR incompris", "en": "CRS not understood"},
    "CRS_OVERRIDDEN": {"fr": "SCR déclaré remplacé", "en": "Declared CRS replaced"},
    "ENCODING_CPG_WRONG": {"fr": "Fichier .cpg erroné", "en": "Wrong .cpg file"},
    "SHP_NO_SHX": {"fr": "Fichier .shx absent", "en": "No .shx file"},
    "SHP_NO_DBF": {"fr": "Fichier .dbf absent", "en": "No .dbf file"},
    "SHP_TABLE_ONLY": {"fr": "Fichier .dbf sans .shp", "en": "A .dbf without its .shp"},
    "SHP_TRUNCATED": {"fr": "Fichier .shp tronqué", "en": "Truncated .shp file"},
    "SHX_OFFSETS_WRONG": {"fr": "Index .shx erroné", "en": "Wrong .shx index"},
    "DBF_HEADER_WRONG": {"fr": "En-tête du .dbf incohérent", "en": "Inconsistent .dbf header"},
    "DBF_RECORDS_MISSING": {"fr": "Enregistrements manquants dans le .dbf", "en": "Records missing from the .dbf"},
    "SHP_DBF_COUNT_MISMATCH": {"fr": ".shp et .dbf discordants", "en": ".shp and .dbf disagree"},
    "CSV_NO_GEOMETRY": {"fr": "CSV sans géométrie", "en": "CSV without geometry"},
    "CSV_FIELD_NOT_FOUND": {"fr": "Colonne introuvable", "en": "Column not found"},
    "CSV_UNBALANCED_QUOTE": {"fr": "Guillemet non fermé", "en": "Unclosed quote"},
    "CSV_EXTRA_VALUES": {"fr": "Valeurs en trop sur une ligne", "en": "Extra values on a line"},
    "CSV_IDENTIFIERS_AS_TEXT": {"fr": "Codes lus comme du texte", "en": "Codes read as text"},
    "LAYER_EMPTY": {"fr": "Couche vide", "en": "Empty layer"},
    "SOURCE_MEMBER_UNREADABLE": {"fr": "Fichier illisible dans la source", "en": "Unreadable file in the source"},
    "FEATURE_COUNT_MISMATCH": {"fr": "Moins d'objets que déclaré", "en": "Fewer features than declared"},
    # normalising the features (odl_geo.normalise)
    "CRS_GRID_MISSING": {"fr": "Grille de transformation absente", "en": "Transformation grid missing"},
    "GEOM_EMPTY_DROPPED": {"fr": "Objets sans géométrie retirés", "en": "Features without geometry dropped"},
    "GEOM_UNREADABLE": {"fr": "Géométrie illisible", "en": "Unreadable geometry"},
    "GEOM_M_DROPPED": {"fr": "Mesures (M) retirées", "en": "M values dropped"},
    "FIELD_NOT_A_NUMBER": {"fr": "Valeurs non numériques", "en": "Values that are not numbers"},
    "FIELD_HTML_DECODED": {"fr": "Entités HTML décodées", "en": "HTML entities decoded"},
    "GDAL_WARNING": {"fr": "Avertissement de GDAL", "en": "GDAL warning"},
    # writing the outputs (odl_geo.exports, odl_geo.conversion, odl_geo.theme)
    "WRITE_WARNING": {"fr": "Avertissement à l'écriture", "en": "Warning while writing"},
    "SHP_SPLIT_BY_TYPE": {"fr": "Shapefile découpé par type", "en": "Shapefile split by type"},
    "SHP_FIELDS_TRUNCATED": {"fr": "Noms de champs raccourcis", "en": "Field names shortened"},
    "SHP_TEXT_TRUNCATED": {"fr": "Textes tronqués (Shapefile)", "en": "Text cut (Shapefile)"},
    "KML_REPAIRED": {"fr": "KML écrit des géométries réparées", "en": "KML written from repaired geometries"},
    "KML_CHARACTERS_REPLACED": {"fr": "Caractères remplacés (KML)", "en": "Characters replaced (KML)"},
    "FGB_NO_SPATIAL_INDEX": {"fr": "FlatGeobuf sans index spatial", "en": "FlatGeobuf without a spatial index"},
    "FORMAT_NEEDS_GEOMETRY": {"fr": "Format réservé aux géométries", "en": "Format needs geometries"},
    "FORMAT_IS_THE_PRODUCT": {"fr": "Le produit est le GeoPackage", "en": "The product is the GeoPackage"},
    "LAYER_SKIPPED": {"fr": "Couche non convertie", "en": "Layer not converted"},
    "METADATA_EMBEDDED": {"fr": "Métadonnées intégrées", "en": "Metadata embedded"},
    **PPR_TITLES,
}


def t(key: str, lang: str) -> str:
    entry = UI.get(key)
    return entry.get(lang, entry["en"]) if entry else key


def code_title(code: str, lang: str) -> str:
    check = REGISTRY.get(code)
    if check is not None:
        return check.title.get(lang, check.title["en"])
    entry = CODE_TITLES.get(code)
    return entry.get(lang, entry["en"]) if entry else code


def code_help(code: str, lang: str) -> str:
    check = REGISTRY.get(code)
    if check is not None:
        return check.help.get(lang, check.help["en"])
    entry = CODE_HELP.get(code)
    return entry.get(lang, entry["en"]) if entry else ""
