<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
  <context>
    <name>OdlGeo</name>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_datagouv.py" line="47" />
      <source>API key (Basic configuration, key as password)</source>
      <translation>Clé d'API (configuration Basic, clé en mot de passe)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/plugin_main.py" line="75" />
      <source>All dependencies are installed.</source>
      <translation>Toutes les dépendances sont installées.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/inspect_file.py" line="37" />
      <source>Attribute encoding (detected when empty)</source>
      <translation>Encodage des attributs (détecté si vide)</translation>
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
      <location filename="../../../qgis_plugin/processing/check.py" line="35" />
      <source>Check</source>
      <translation>Contrôler</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/check.py" line="34" />
      <source>Check against a national schema</source>
      <translation>Contrôler selon un schéma national</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/plugin_main.py" line="48" />
      <source>Check dependencies</source>
      <translation>Vérifier les dépendances</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="72" />
      <source>Choose a layer of the project or a file.</source>
      <translation>Choisissez une couche du projet ou un fichier.</translation>
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
      <location filename="../../../qgis_plugin/processing/convert.py" line="34" />
      <source>Convert to open formats</source>
      <translation>Convertir aux formats ouverts</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/plugin_main.py" line="47" />
      <source>Convert to open formats…</source>
      <translation>Convertir aux formats ouverts…</translation>
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
      <location filename="../../../qgis_plugin/processing/check.py" line="47" />
      <source>Declared area (e.g. occitanie, 34, 34172)</source>
      <translation>Territoire déclaré (ex. occitanie, 34, 34172)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="52" />
      <source>Decode HTML entities in texts</source>
      <translation>Décoder les entités HTML des textes</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="53" />
      <source>Drop features without geometry</source>
      <translation>Supprimer les entités sans géométrie</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/check.py" line="51" />
      <source>Errors</source>
      <translation>Erreurs</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/check.py" line="43" />
      <source>Field mapping file (TOML)</source>
      <translation>Fichier de correspondance des champs (TOML)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/inspect_file.py" line="31" />
      <source>File, folder or zip</source>
      <translation>Fichier, dossier ou zip</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="43" />
      <source>Formats</source>
      <translation>Formats</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_geoserver.py" line="43" />
      <source>GeoServer URL (…/geoserver)</source>
      <translation>URL du GeoServer (…/geoserver)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/inspect_file.py" line="26" />
      <source>Inspect a file (layers, CRS, encoding, problems)</source>
      <translation>Inspecter un fichier (couches, SCR, encodage, problèmes)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/plugin_main.py" line="46" />
      <source>Inspect a file…</source>
      <translation>Inspecter un fichier…</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/plugin_main.py" line="82" />
      <source>Install them with this command, then restart QGIS:</source>
      <translation>Installez-les avec cette commande, puis redémarrez QGIS :</translation>
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
      <location filename="../../../qgis_plugin/processing/convert.py" line="55" />
      <source>Manifest (JSON)</source>
      <translation>Manifeste (JSON)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_datagouv.py" line="53" />
      <source>Only show what would be sent</source>
      <translation>Afficher seulement ce qui serait envoyé</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_datagouv.py" line="45" />
      <source>Organization (slug or id)</source>
      <translation>Organisation (slug ou identifiant)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="54" />
      <source>Output folder</source>
      <translation>Dossier de sortie</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_datagouv.py" line="44" />
      <source>Portal URL</source>
      <translation>URL du portail</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_datagouv.py" line="36" />
      <source>Publish</source>
      <translation>Publier</translation>
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
      <location filename="../../../qgis_plugin/processing/convert.py" line="35" />
      <source>Read and convert</source>
      <translation>Lire et convertir</translation>
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
      <location filename="../../../qgis_plugin/processing/publish_postgis.py" line="40" />
      <source>Schema</source>
      <translation>Schéma</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/plugin_main.py" line="52" />
      <source>Some Python libraries are missing: odl-geo is disabled. See the plugin menu.</source>
      <translation>Des bibliothèques Python manquent : odl-geo est désactivé. Voir le menu de l'extension.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="50" />
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
      <location filename="../../../qgis_plugin/processing/check.py" line="40" />
      <source>Theme</source>
      <translation>Thème</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/plugin_main.py" line="78" />
      <source>These Python libraries are missing in QGIS's Python:</source>
      <translation>Ces bibliothèques Python manquent dans le Python de QGIS :</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_datagouv.py" line="52" />
      <source>Title</source>
      <translation>Titre</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/check.py" line="52" />
      <source>Warnings</source>
      <translation>Avertissements</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_geoserver.py" line="44" />
      <source>Workspace</source>
      <translation>Espace de travail</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/check.py" line="39" />
      <source>…or a file, folder or zip</source>
      <translation>…ou un fichier, dossier ou zip</translation>
    </message>
  </context>
</TS>
