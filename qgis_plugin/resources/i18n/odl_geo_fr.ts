<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
  <context>
    <name>OdlGeo</name>
    <message>
      <location filename="../../../qgis_plugin/plugin_main.py" line="75" />
      <source>All dependencies are installed.</source>
      <translation>Toutes les dépendances sont installées.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/inspect_file.py" line="40" />
      <source>Attribute encoding (detected when empty)</source>
      <translation>Encodage des attributs (détecté si vide)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/plugin_main.py" line="48" />
      <source>Check dependencies</source>
      <translation>Vérifier les dépendances</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="74" />
      <source>Choose a layer of the project or a file.</source>
      <translation>Choisissez une couche du projet ou un fichier.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="36" />
      <source>Convert to open formats</source>
      <translation>Convertir aux formats ouverts</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/plugin_main.py" line="47" />
      <source>Convert to open formats…</source>
      <translation>Convertir aux formats ouverts…</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="54" />
      <source>Decode HTML entities in texts</source>
      <translation>Décoder les entités HTML des textes</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="55" />
      <source>Drop features without geometry</source>
      <translation>Supprimer les entités sans géométrie</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/inspect_file.py" line="44" />
      <source>Errors</source>
      <translation>Erreurs</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/inspect_file.py" line="34" />
      <source>File, folder or zip</source>
      <translation>Fichier, dossier ou zip</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="45" />
      <source>Formats</source>
      <translation>Formats</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/inspect_file.py" line="29" />
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
      <location filename="../../../qgis_plugin/processing/convert.py" line="40" />
      <source>Layer of the project</source>
      <translation>Couche du projet</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/inspect_file.py" line="43" />
      <source>Layers</source>
      <translation>Couches</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="57" />
      <source>Manifest (JSON)</source>
      <translation>Manifeste (JSON)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="56" />
      <source>Output folder</source>
      <translation>Dossier de sortie</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="37" />
      <source>Read and convert</source>
      <translation>Lire et convertir</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/inspect_file.py" line="42" />
      <source>Report (JSON)</source>
      <translation>Rapport (JSON)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/plugin_main.py" line="52" />
      <source>Some Python libraries are missing: odl-geo is disabled. See the plugin menu.</source>
      <translation>Des bibliothèques Python manquent : odl-geo est désactivé. Voir le menu de l'extension.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="52" />
      <source>Source CRS (when the file has none)</source>
      <translation>SCR source (si le fichier n'en déclare pas)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/plugin_main.py" line="78" />
      <source>These Python libraries are missing in QGIS's Python:</source>
      <translation>Ces bibliothèques Python manquent dans le Python de QGIS :</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="41" />
      <source>…or a file, folder or zip</source>
      <translation>…ou un fichier, dossier ou zip</translation>
    </message>
  </context>
</TS>
