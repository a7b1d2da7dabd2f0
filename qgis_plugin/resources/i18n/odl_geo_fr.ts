<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
  <context>
    <name>OdlGeo</name>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="157" />
      <source>API key</source>
      <translation>Clé d'API</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_datagouv.py" line="47" />
      <source>API key (Basic configuration, key as password)</source>
      <translation>Clé d'API (configuration Basic, clé en mot de passe)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/plugin_main.py" line="86" />
      <source>All dependencies are installed.</source>
      <translation>Toutes les dépendances sont installées.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/inspect_file.py" line="37" />
      <source>Attribute encoding (detected when empty)</source>
      <translation>Encodage des attributs (détecté si vide)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="150" />
      <source>Authentication</source>
      <translation>Authentification</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_geoserver.py" line="45" />
      <source>Authentication (Basic)</source>
      <translation>Authentification (Basic)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_datagouv.py" line="56" />
      <source>Bytes uploaded</source>
      <translation>Octets envoyés</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="125" />
      <source>Cancel task</source>
      <translation>Annuler la tâche</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="123" />
      <source>Check</source>
      <translation>Contrôler</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/check.py" line="34" />
      <source>Check against a national schema</source>
      <translation>Contrôler selon un schéma national</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/plugin_main.py" line="50" />
      <source>Check dependencies</source>
      <translation>Vérifier les dépendances</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="118" />
      <source>Check the layer first.</source>
      <translation>Contrôlez d'abord la couche.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="84" />
      <source>Choose a layer of the project or a file.</source>
      <translation>Choisissez une couche du projet ou un fichier.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="130" />
      <source>Close</source>
      <translation>Fermer</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_issues.py" line="20" />
      <source>Code</source>
      <translation>Code</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_datagouv.py" line="41" />
      <source>Conversion output folder (with manifest.json)</source>
      <translation>Dossier de conversion (avec manifest.json)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_postgis.py" line="36" />
      <source>Conversion output folder or file</source>
      <translation>Dossier de conversion ou fichier</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="36" />
      <source>Convert to open formats</source>
      <translation>Convertir aux formats ouverts</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/plugin_main.py" line="49" />
      <source>Convert to open formats…</source>
      <translation>Convertir aux formats ouverts…</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_issues.py" line="22" />
      <source>Count</source>
      <translation>Nombre</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_postgis.py" line="39" />
      <source>Database (postgresql://host:port/dbname)</source>
      <translation>Base de données (postgresql://hôte:port/base)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_datagouv.py" line="54" />
      <source>Dataset id</source>
      <translation>Identifiant du jeu de données</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_datagouv.py" line="50" />
      <source>Dataset key (to find it again)</source>
      <translation>Clé du jeu de données (pour le retrouver)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_datagouv.py" line="55" />
      <source>Dataset page</source>
      <translation>Page du jeu de données</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="99" />
      <source>Declared area</source>
      <translation>Territoire déclaré</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/check.py" line="47" />
      <source>Declared area (e.g. occitanie, 34, 34172)</source>
      <translation>Territoire déclaré (ex. occitanie, 34, 34172)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="64" />
      <source>Decode HTML entities in texts</source>
      <translation>Décoder les entités HTML des textes</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="286" />
      <source>Done: </source>
      <translation>Terminé : </translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="65" />
      <source>Drop features without geometry</source>
      <translation>Supprimer les entités sans géométrie</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_issues.py" line="26" />
      <source>Error</source>
      <translation>Erreur</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/check.py" line="51" />
      <source>Errors</source>
      <translation>Erreurs</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="281" />
      <source>Errors: {0}, warnings: {1}. </source>
      <translation>Erreurs : {0}, avertissements : {1}. </translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="270" />
      <source>Failed: </source>
      <translation>Échec : </translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="96" />
      <source>Field mapping file (TOML)</source>
      <translation>Fichier de correspondance des champs (TOML)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/inspect_file.py" line="31" />
      <source>File, folder or zip</source>
      <translation>Fichier, dossier ou zip</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="57" />
      <source>Fire hydrants (point-eau-incendie)</source>
      <translation>Points d'eau incendie (point-eau-incendie)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="282" />
      <source>Fix the errors first.</source>
      <translation>Corrigez d'abord les erreurs.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="58" />
      <source>Flood risk (CNIG PPR)</source>
      <translation>Risque inondation (PPR, géostandard CNIG)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="108" />
      <source>Formats</source>
      <translation>Formats</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="143" />
      <source>GeoServer (regional map platform)</source>
      <translation>GeoServer (plateforme cartographique régionale)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="148" />
      <source>GeoServer URL</source>
      <translation>URL du GeoServer</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_geoserver.py" line="43" />
      <source>GeoServer URL (…/geoserver)</source>
      <translation>URL du GeoServer (…/geoserver)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="55" />
      <source>Hiking paths (itineraire-randonnee)</source>
      <translation>Itinéraires de randonnée (itineraire-randonnee)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_issues.py" line="28" />
      <source>Info</source>
      <translation>Info</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/inspect_file.py" line="26" />
      <source>Inspect a file (layers, CRS, encoding, problems)</source>
      <translation>Inspecter un fichier (couches, SCR, encodage, problèmes)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/plugin_main.py" line="48" />
      <source>Inspect a file…</source>
      <translation>Inspecter un fichier…</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/plugin_main.py" line="93" />
      <source>Install them with this command, then restart QGIS:</source>
      <translation>Installez-les avec cette commande, puis redémarrez QGIS :</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="89" />
      <source>Layer</source>
      <translation>Couche</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/check.py" line="38" />
      <source>Layer of the project</source>
      <translation>Couche du projet</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/inspect_file.py" line="40" />
      <source>Layers</source>
      <translation>Couches</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="67" />
      <source>Manifest (JSON)</source>
      <translation>Manifeste (JSON)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_issues.py" line="23" />
      <source>Message</source>
      <translation>Message</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_datagouv.py" line="53" />
      <source>Only show what would be sent</source>
      <translation>Afficher seulement ce qui serait envoyé</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="156" />
      <source>Organization (slug or id)</source>
      <translation>Organisation (slug ou identifiant)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="102" />
      <source>Output folder</source>
      <translation>Dossier de sortie</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="155" />
      <source>Portal URL</source>
      <translation>URL du portail</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="124" />
      <source>Publish</source>
      <translation>Publier</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="73" />
      <source>Publish as open data</source>
      <translation>Publier en open data</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/plugin_main.py" line="47" />
      <source>Publish as open data…</source>
      <translation>Publier en open data…</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="141" />
      <source>Publish to</source>
      <translation>Publier vers</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_geoserver.py" line="34" />
      <source>Publish to GeoServer (WMS/WFS)</source>
      <translation>Publier sur GeoServer (WMS/WFS)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_postgis.py" line="30" />
      <source>Publish to PostGIS</source>
      <translation>Publier dans PostGIS</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_datagouv.py" line="35" />
      <source>Publish to data.gouv.fr</source>
      <translation>Publier sur data.gouv.fr</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="116" />
      <source>Quality report</source>
      <translation>Rapport de qualité</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="37" />
      <source>Read and convert</source>
      <translation>Lire et convertir</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="282" />
      <source>Ready to publish.</source>
      <translation>Prêt à publier.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/check.py" line="50" />
      <source>Report (HTML)</source>
      <translation>Rapport (HTML)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/inspect_file.py" line="39" />
      <source>Report (JSON)</source>
      <translation>Rapport (JSON)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/check.py" line="49" />
      <source>Report folder</source>
      <translation>Dossier du rapport</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_geoserver.py" line="51" />
      <source>Resources created or updated</source>
      <translation>Ressources créées ou mises à jour</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_geoserver.py" line="52" />
      <source>Resources unchanged</source>
      <translation>Ressources inchangées</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="263" />
      <source>Running: </source>
      <translation>En cours : </translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_postgis.py" line="40" />
      <source>Schema</source>
      <translation>Schéma</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_issues.py" line="19" />
      <source>Severity</source>
      <translation>Gravité</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/plugin_main.py" line="54" />
      <source>Some Python libraries are missing: odl-geo is disabled. See the plugin menu.</source>
      <translation>Des bibliothèques Python manquent : odl-geo est désactivé. Voir le menu de l'extension.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="62" />
      <source>Source CRS (when the file has none)</source>
      <translation>SCR source (si le fichier n'en déclare pas)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_geoserver.py" line="47" />
      <source>Style (SLD file or folder such as styles/flood)</source>
      <translation>Style (fichier SLD ou dossier comme styles/flood)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_postgis.py" line="42" />
      <source>Tables published</source>
      <translation>Tables publiées</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="206" />
      <source>The report has warnings. Publish anyway?</source>
      <translation>Le rapport contient des avertissements. Publier quand même ?</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="93" />
      <source>Theme</source>
      <translation>Thème</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="53" />
      <source>Theme (national schema product)</source>
      <translation>Thème (produit selon le schéma national)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/plugin_main.py" line="89" />
      <source>These Python libraries are missing in QGIS's Python:</source>
      <translation>Ces bibliothèques Python manquent dans le Python de QGIS :</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_datagouv.py" line="52" />
      <source>Title</source>
      <translation>Titre</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_issues.py" line="27" />
      <source>Warning</source>
      <translation>Avertissement</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/check.py" line="52" />
      <source>Warnings</source>
      <translation>Avertissements</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="56" />
      <source>Water points</source>
      <translation>Points d'eau</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="149" />
      <source>Workspace</source>
      <translation>Espace de travail</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="151" />
      <source>data.gouv.fr</source>
      <translation>data.gouv.fr</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/toolbelt/i18n.py" line="31" />
      <source>en</source>
      <translation>fr</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/check.py" line="39" />
      <source>…or a file, folder or zip</source>
      <translation>…ou un fichier, dossier ou zip</translation>
    </message>
  </context>
</TS>
