<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
  <context>
    <name>OdlGeo</name>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_mapping.py" line="243" />
      <source>(none)</source>
      <translation>(aucun)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_mapping.py" line="127" />
      <source>(set by the standard)</source>
      <translation>(fixé par le standard)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="67" />
      <source>(the producer when empty)</source>
      <translation>(le producteur si vide)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/toolbelt/messages.py" line="23" />
      <source>A warning while writing {layer} (the details are in the odl-geo log).</source>
      <translation>Avertissement à l'écriture de {layer} (détails dans le journal odl-geo).</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="91" />
      <source>API key</source>
      <translation>Clé d'API</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_datagouv.py" line="51" />
      <source>API key (Basic configuration, key as password)</source>
      <translation>Clé d'API (configuration Basic, clé en mot de passe)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_metadata_preview.py" line="37" />
      <source>Abstract</source>
      <translation>Résumé</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_mapping.py" line="55" />
      <source>An existing mapping file: its choices are shown and can be edited</source>
      <translation>Un fichier de correspondance existant : ses choix sont affichés et modifiables</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/errors.py" line="49" />
      <source>An output cannot be written: </source>
      <translation>Un fichier de sortie ne peut pas être écrit : </translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="39" />
      <source>Annual</source>
      <translation>Annuelle</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/theme_params.py" line="66" />
      <source>Apply the automatic fixes (on a copy)</source>
      <translation>Appliquer les corrections automatiques (sur une copie)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="227" />
      <source>Apply the automatic fixes (on a copy; the layer is never changed)</source>
      <translation>Appliquer les corrections automatiques (sur une copie ; la couche n'est jamais modifiée)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/inspect_file.py" line="37" />
      <source>Attribute encoding (detected when empty)</source>
      <translation>Encodage des attributs (détecté si vide)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="62" />
      <source>Authentication</source>
      <translation>Authentification</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_csw.py" line="42" />
      <source>Authentication (Basic)</source>
      <translation>Authentification (Basic)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_review.py" line="21" />
      <source>Before publishing</source>
      <translation>Avant de publier</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/embed_copy.py" line="64" />
      <source>Building the embed code…</source>
      <translation>Préparation du code d'intégration…</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_datagouv.py" line="69" />
      <source>Bytes uploaded</source>
      <translation>Octets envoyés</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="109" />
      <source>CSW catalogue (metadata record)</source>
      <translation>Catalogue CSW (fiche de métadonnées)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="113" />
      <source>CSW catalogue URL</source>
      <translation>URL du catalogue CSW</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_csw.py" line="41" />
      <source>CSW catalogue URL (CSW-T endpoint)</source>
      <translation>URL du catalogue CSW (point d'accès CSW-T)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="234" />
      <source>CSW catalogue {0}: the ISO 19139 metadata record.</source>
      <translation>Catalogue CSW {0} : la fiche de métadonnées ISO 19139.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="104" />
      <source>CSW catalogue: record {0} {1}.</source>
      <translation>Catalogue CSW : fiche {0} {1}.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="194" />
      <source>Cancel task</source>
      <translation>Annuler la tâche</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/toolbelt/setup_task.py" line="91" />
      <source>Cancelled.</source>
      <translation>Annulé.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/errors.py" line="43" />
      <source>Cancelled: </source>
      <translation>Annulé : </translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="516" />
      <source>Cancelled: {0}. The steps done before it stay done.</source>
      <translation>Annulé : {0}. Les étapes terminées avant restent faites.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="192" />
      <source>Check</source>
      <translation>Contrôler</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/check.py" line="31" />
      <source>Check against a national schema</source>
      <translation>Contrôler selon un schéma national</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/toolbelt/messages.py" line="28" />
      <source>Check that the file is complete, or open it in QGIS to see why.</source>
      <translation>Vérifiez que le fichier est complet, ou ouvrez-le dans QGIS pour voir pourquoi.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/errors.py" line="85" />
      <source>Check the authentication configuration chosen for this server (Settings &gt; Options &gt; Authentication).</source>
      <translation>Vérifiez la configuration d'authentification choisie pour ce serveur (Préférences &gt; Options &gt; Authentification).</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="182" />
      <source>Check the layer first.</source>
      <translation>Contrôlez d'abord la couche.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_geoserver.py" line="87" />
      <source>Check the layers through WMS/WFS afterwards</source>
      <translation>Vérifier ensuite les couches par WMS/WFS</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="90" />
      <source>Check the metadata</source>
      <translation>Vérifier les métadonnées</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/errors.py" line="81" />
      <source>Check the server's address, that the server is running, and QGIS's network settings (Settings &gt; Options &gt; Network).</source>
      <translation>Vérifiez l'adresse du serveur, qu'il est en marche, et les réglages réseau de QGIS (Préférences &gt; Options &gt; Réseau).</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_settings.py" line="109" />
      <source>Checking {0}…</source>
      <translation>Vérification de {0}…</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="389" />
      <source>Choose a layer (for flood: the layers of the PPR).</source>
      <translation>Choisissez une couche (pour les inondations : les couches du PPR).</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="322" />
      <source>Choose a layer and a theme.</source>
      <translation>Choisissez une couche et un thème.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/theme_params.py" line="53" />
      <source>Choose a layer of the project or a file.</source>
      <translation>Choisissez une couche du projet ou un fichier.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_settings.py" line="130" />
      <source>Click Install the libraries: odl-geo makes its own environment (nothing changes in QGIS).</source>
      <translation>Cliquez sur Installer les bibliothèques : odl-geo crée son propre environnement (rien ne change dans QGIS).</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="200" />
      <source>Close</source>
      <translation>Fermer</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_issues.py" line="22" />
      <source>Code</source>
      <translation>Code</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="431" />
      <source>Complete the Metadata tab first (or untick it).</source>
      <translation>Complétez d'abord l'onglet Métadonnées (ou décochez-le).</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="172" />
      <source>Complete: the records will be written with the publication.</source>
      <translation>Complet : les fiches seront écrites avec la publication.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="84" />
      <source>Contact e-mail</source>
      <translation>Courriel du contact</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_csw.py" line="38" />
      <source>Conversion output folder (with manifest.json)</source>
      <translation>Dossier de conversion (avec manifest.json)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_postgis.py" line="36" />
      <source>Conversion output folder or file</source>
      <translation>Dossier de conversion ou fichier</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="35" />
      <source>Convert to open formats</source>
      <translation>Convertir aux formats ouverts</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/plugin_main.py" line="59" />
      <source>Convert to open formats…</source>
      <translation>Convertir aux formats ouverts…</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/errors.py" line="46" />
      <source>Coordinate reference system problem: </source>
      <translation>Problème de système de coordonnées : </translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/embed_copy.py" line="44" />
      <source>Copy the embed code</source>
      <translation>Copier le code d'intégration</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/errors.py" line="73" />
      <source>Correct its user name and password (or API key) in Settings &gt; Options &gt; Authentication, or choose another configuration.</source>
      <translation>Corrigez son nom d'utilisateur et son mot de passe (ou sa clé d'API) dans Préférences &gt; Options &gt; Authentification, ou choisissez une autre configuration.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_issues.py" line="24" />
      <source>Count</source>
      <translation>Nombre</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/errors.py" line="77" />
      <source>Create one in Settings &gt; Options &gt; Authentication and choose it for this server.</source>
      <translation>Créez-en une dans Préférences &gt; Options &gt; Authentification et choisissez-la pour ce serveur.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_settings.py" line="69" />
      <source>Creates odl-geo's own environment in the QGIS profile and installs the tested versions into it</source>
      <translation>Crée l'environnement propre d'odl-geo dans le profil QGIS et y installe les versions testées</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="44" />
      <source>Daily</source>
      <translation>Quotidienne</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/style_export.py" line="72" />
      <source>Data-defined symbol properties (size, colour from an expression) are not exported.</source>
      <translation>Les propriétés de symbole définies par les données (taille, couleur par expression) ne sont pas exportées.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="78" />
      <source>Database</source>
      <translation>Base de données</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_postgis.py" line="39" />
      <source>Database (postgresql://host:port/dbname)</source>
      <translation>Base de données (postgresql://hôte:port/base)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_datagouv.py" line="67" />
      <source>Dataset id</source>
      <translation>Identifiant du jeu de données</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_datagouv.py" line="54" />
      <source>Dataset key (to find it again)</source>
      <translation>Clé du jeu de données (pour le retrouver)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_datagouv.py" line="68" />
      <source>Dataset page</source>
      <translation>Page du jeu de données</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/results.py" line="33" />
      <source>Dataset page on data.gouv.fr</source>
      <translation>Page du jeu de données sur data.gouv.fr</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="156" />
      <source>Declared area</source>
      <translation>Territoire déclaré</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/theme_params.py" line="64" />
      <source>Declared area (e.g. occitanie, 34, 34172)</source>
      <translation>Territoire déclaré (ex. occitanie, 34, 34172)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="58" />
      <source>Decode HTML entities in texts</source>
      <translation>Décoder les entités HTML des textes</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_settings.py" line="176" />
      <source>Default output folder</source>
      <translation>Dossier de sortie par défaut</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="57" />
      <source>Describe the dataset (ISO 19139 / INSPIRE and DCAT metadata records)</source>
      <translation>Décrire le jeu de données (fiches de métadonnées ISO 19139 / INSPIRE et DCAT)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="100" />
      <source>Description</source>
      <translation>Description</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="624" />
      <source>Done</source>
      <translation>Terminé</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="544" />
      <source>Done: </source>
      <translation>Terminé : </translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="177" />
      <source>Double-click a row: its features are selected in the layer and shown on the map</source>
      <translation>Double-cliquez sur une ligne : ses objets sont sélectionnés dans la couche et montrés sur la carte</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_metadata_preview.py" line="17" />
      <source>Download</source>
      <translation>Téléchargement</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/style_export.py" line="76" />
      <source>Draw effects (shadows, glow) are not exported.</source>
      <translation>Les effets de dessin (ombres, halo) ne sont pas exportés.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="59" />
      <source>Drop features without geometry</source>
      <translation>Supprimer les entités sans géométrie</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="553" />
      <source>Dry run of {0}: nothing was sent. What would be sent is in the odl-geo log.</source>
      <translation>Essai à blanc de {0} : rien n'a été envoyé. Ce qui serait envoyé est dans le journal odl-geo.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_review.py" line="29" />
      <source>Dry run: show what would be sent, send nothing</source>
      <translation>Essai à blanc : montrer ce qui serait envoyé, ne rien envoyer</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/embed_copy.py" line="70" />
      <source>Embed code</source>
      <translation>Code d'intégration</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/embed_copy.py" line="85" />
      <source>Embed code copied: paste it into the commune's web page; the files to host with it and the webmaster's notes (LISEZMOI.txt) are in {0}.</source>
      <translation>Code d'intégration copié : collez-le dans la page du site de la commune ; les fichiers à héberger avec elle et les consignes pour le webmestre (LISEZMOI.txt) sont dans {0}.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_issues.py" line="28" />
      <source>Error</source>
      <translation>Erreur</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/check.py" line="40" />
      <source>Errors</source>
      <translation>Erreurs</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="537" />
      <source>Errors: {0}, warnings: {1}. </source>
      <translation>Erreurs : {0}, avertissements : {1}. </translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_mapping.py" line="139" />
      <source>Every required field has a source or a value.</source>
      <translation>Chaque champ obligatoire a une source ou une valeur.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_metadata_preview.py" line="41" />
      <source>Extent (Lambert-93)</source>
      <translation>Emprise (Lambert-93)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_metadata_preview.py" line="40" />
      <source>Extent (WGS 84)</source>
      <translation>Emprise (WGS 84)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_geoserver.py" line="142" />
      <source>FAILED</source>
      <translation>ÉCHEC</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="519" />
      <source>Failed: </source>
      <translation>Échec : </translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_metadata_preview.py" line="47" />
      <source>Features</source>
      <translation>Objets</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="169" />
      <source>Field mapping</source>
      <translation>Correspondance des champs</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/theme_params.py" line="60" />
      <source>Field mapping file (TOML)</source>
      <translation>Fichier de correspondance des champs (TOML)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/inspect_file.py" line="31" />
      <source>File, folder or zip</source>
      <translation>Fichier, dossier ou zip</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="96" />
      <source>Files written in {0}.</source>
      <translation>Fichiers écrits dans {0}.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="89" />
      <source>Fill from the layer's QGIS metadata</source>
      <translation>Reprendre les métadonnées QGIS de la couche</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/publication_names.py" line="23" />
      <source>Fire hydrants</source>
      <translation>Points d'eau incendie</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="78" />
      <source>Fire hydrants (point-eau-incendie)</source>
      <translation>Points d'eau incendie (point-eau-incendie)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="538" />
      <source>Fix the errors first.</source>
      <translation>Corrigez d'abord les erreurs.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="79" />
      <source>Flood risk (CNIG PPR)</source>
      <translation>Risque inondation (PPR, géostandard CNIG)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/publication_names.py" line="25" />
      <source>Flood risk prevention plan</source>
      <translation>Plan de prévention du risque inondation</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="165" />
      <source>Formats</source>
      <translation>Formats</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/toolbelt/messages.py" line="22" />
      <source>GDAL warned while reading {layer} (the details are in the odl-geo log).</source>
      <translation>Avertissement de GDAL à la lecture de {layer} (détails dans le journal odl-geo).</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="53" />
      <source>GeoServer (regional map platform)</source>
      <translation>GeoServer (plateforme cartographique régionale)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="60" />
      <source>GeoServer URL</source>
      <translation>URL du GeoServer</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_geoserver.py" line="72" />
      <source>GeoServer URL (…/geoserver)</source>
      <translation>URL du GeoServer (…/geoserver)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/connection_test.py" line="37" />
      <source>GeoServer {0} answers and accepts the credentials.</source>
      <translation>GeoServer {0} répond et accepte les identifiants.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="223" />
      <source>GeoServer {0}, workspace {1}: layer {2} “{3}”, style {4}.</source>
      <translation>GeoServer {0}, espace de travail {1} : couche {2} « {3} », style {4}.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/publish_runner.py" line="63" />
      <source>GeoServer: {changed} created or updated, {unchanged} unchanged, {verified} {verified:layer|layers} checked through WMS/WFS.</source>
      <translation>GeoServer : {changed} {changed:créé|créés} ou mis à jour, {unchanged} {unchanged:inchangé|inchangés}, {verified} {verified:couche vérifiée|couches vérifiées} en WMS/WFS.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/toolbelt/messages.py" line="26" />
      <source>Give the source CRS (for example EPSG:2154, Lambert-93) in the algorithm's “Source CRS” or in the layer's properties.</source>
      <translation>Indiquez le SCR source (par exemple EPSG:2154, Lambert-93) dans le « SCR source » du traitement ou dans les propriétés de la couche.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/toolbelt/messages.py" line="19" />
      <source>HTML entities (&amp;amp;eacute;…) decoded in the texts of {layer}: {count}.</source>
      <translation>Entités HTML (&amp;amp;eacute;…) décodées dans les textes de {layer} : {count}.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/plugin_main.py" line="61" />
      <source>Help</source>
      <translation>Aide</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/publication_names.py" line="20" />
      <source>Hiking paths</source>
      <translation>Itinéraires de randonnée</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="76" />
      <source>Hiking paths (itineraire-randonnee)</source>
      <translation>Itinéraires de randonnée (itineraire-randonnee)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_metadata_preview.py" line="42" />
      <source>INSPIRE theme</source>
      <translation>Thème INSPIRE</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_metadata_preview.py" line="38" />
      <source>Identifier</source>
      <translation>Identifiant</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="185" />
      <source>Idle</source>
      <translation>En attente</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_issues.py" line="30" />
      <source>Info</source>
      <translation>Info</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/inspect_file.py" line="26" />
      <source>Inspect a file (layers, CRS, encoding, problems)</source>
      <translation>Inspecter un fichier (couches, SCR, encodage, problèmes)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/plugin_main.py" line="58" />
      <source>Inspect a file…</source>
      <translation>Inspecter un fichier…</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_settings.py" line="67" />
      <source>Install the libraries</source>
      <translation>Installer les bibliothèques</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="45" />
      <source>Irregular</source>
      <translation>Irrégulière</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_datagouv.py" line="64" />
      <source>Keep the dataset private (draft) on data.gouv.fr</source>
      <translation>Garder le jeu de données privé (brouillon) sur data.gouv.fr</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="80" />
      <source>Keywords</source>
      <translation>Mots-clés</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="148" />
      <source>Layer</source>
      <translation>Couche</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="66" />
      <source>Layer name</source>
      <translation>Nom de la couche</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_geoserver.py" line="80" />
      <source>Layer name (one-layer publications)</source>
      <translation>Nom de la couche (publication d'une seule couche)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/theme_params.py" line="33" />
      <source>Layer of the project</source>
      <translation>Couche du projet</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="67" />
      <source>Layer title</source>
      <translation>Titre de la couche</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_review.py" line="23" />
      <source>Layer: {0} ({1}).</source>
      <translation>Couche : {0} ({1}).</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/inspect_file.py" line="40" />
      <source>Layers</source>
      <translation>Couches</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_geoserver.py" line="91" />
      <source>Layers checked through WMS/WFS</source>
      <translation>Couches vérifiées par WMS/WFS</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="152" />
      <source>Layers of the set</source>
      <translation>Couches de l'ensemble</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_settings.py" line="60" />
      <source>Leave empty: odl-geo uses its private environment, made by the Install button.</source>
      <translation>Laisser vide : odl-geo utilise son propre environnement, créé par le bouton Installer.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_metadata_preview.py" line="43" />
      <source>Licence</source>
      <translation>Licence</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="37" />
      <source>Licence Ouverte 2.0 (Etalab)</source>
      <translation>Licence Ouverte 2.0 (Etalab)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_metadata_preview.py" line="52" />
      <source>Links</source>
      <translation>Liens</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_settings.py" line="62" />
      <source>Made from</source>
      <translation>Créé à partir de</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="68" />
      <source>Manifest (JSON)</source>
      <translation>Manifeste (JSON)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="223" />
      <source>Mask e-mail addresses and phone numbers found in texts</source>
      <translation>Masquer les adresses électroniques et numéros de téléphone trouvés dans les textes</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/theme_params.py" line="71" />
      <source>Mask e-mails and phone numbers found in texts</source>
      <translation>Masquer les courriels et numéros de téléphone trouvés dans les textes</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_mapping.py" line="40" />
      <source>Matched by</source>
      <translation>Associé par</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_issues.py" line="25" />
      <source>Message</source>
      <translation>Message</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="267" />
      <source>Metadata</source>
      <translation>Métadonnées</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_metadata_preview.py" line="77" />
      <source>Metadata record preview</source>
      <translation>Aperçu de la fiche de métadonnées</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_settings.py" line="129" />
      <source>Missing or unusable in {0}:</source>
      <translation>Absentes ou inutilisables dans {0} :</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="42" />
      <source>Monthly</source>
      <translation>Mensuelle</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/toolbelt/environment.py" line="116" />
      <source>No Python 3.11 or newer was found ({0}). Choose one in the odl-geo settings page.</source>
      <translation>Aucun Python 3.11 ou plus récent n'a été trouvé ({0}). Choisissez-en un dans la page de paramètres d'odl-geo.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_metadata_preview.py" line="59" />
      <source>No link yet: they are added at publication.</source>
      <translation>Pas encore de lien : ils sont ajoutés à la publication.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_mapping.py" line="117" />
      <source>No proposal: </source>
      <translation>Aucune proposition : </translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_review.py" line="25" />
      <source>No server ticked: the files are only written in the folder.</source>
      <translation>Aucun serveur coché : les fichiers sont seulement écrits dans le dossier.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_settings.py" line="94" />
      <source>No usable Python found: </source>
      <translation>Aucun Python utilisable trouvé : </translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="37" />
      <source>ODbL (Open Database License)</source>
      <translation>ODbL (Open Database License)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_csw.py" line="43" />
      <source>Only show what would be sent</source>
      <translation>Afficher seulement ce qui serait envoyé</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="90" />
      <source>Organization (slug or id)</source>
      <translation>Organisation (slug ou identifiant)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_settings.py" line="64" />
      <source>Other Python (advanced)</source>
      <translation>Autre Python (avancé)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_csw.py" line="45" />
      <source>Outcome</source>
      <translation>Résultat</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="159" />
      <source>Output folder</source>
      <translation>Dossier de sortie</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_metadata_preview.py" line="17" />
      <source>Page</source>
      <translation>Page</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="170" />
      <source>Personal data and fixes</source>
      <translation>Données personnelles et corrections</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/theme_params.py" line="75" />
      <source>Personal fields to publish anyway (comma-separated)</source>
      <translation>Champs personnels à publier malgré tout (séparés par des virgules)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="226" />
      <source>Personal fields to publish anyway, e.g. a company's name</source>
      <translation>Champs personnels à publier malgré tout, p. ex. le nom d'une entreprise</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="83" />
      <source>Point of contact</source>
      <translation>Point de contact</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="89" />
      <source>Portal URL</source>
      <translation>URL du portail</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/connection_test.py" line="68" />
      <source>PostGIS answers (SELECT 1) with these credentials.</source>
      <translation>PostGIS répond (SELECT 1) avec ces identifiants.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="74" />
      <source>PostGIS database</source>
      <translation>Base de données PostGIS</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="227" />
      <source>PostGIS {0}, schema {1}.</source>
      <translation>PostGIS {0}, schéma {1}.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/publish_runner.py" line="67" />
      <source>PostGIS: {0} table published.</source>
      <translation>PostGIS : {0} table publiée.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/publish_runner.py" line="67" />
      <source>PostGIS: {0} tables published.</source>
      <translation>PostGIS : {0} tables publiées.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_settings.py" line="142" />
      <source>Preparing odl-geo's environment in {0}…</source>
      <translation>Préparation de l'environnement d'odl-geo dans {0}…</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="91" />
      <source>Preview the record</source>
      <translation>Prévisualiser la fiche</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="97" />
      <source>Private (draft): open it yourself on data.gouv.fr once checked</source>
      <translation>Privé (brouillon) : vous l'ouvrirez vous-même sur data.gouv.fr après vérification</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_settings.py" line="63" />
      <source>Private environment</source>
      <translation>Environnement propre</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="81" />
      <source>Producer (organisation)</source>
      <translation>Producteur (organisme)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="82" />
      <source>Producer e-mail</source>
      <translation>Courriel du producteur</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_mapping.py" line="58" />
      <source>Propose again</source>
      <translation>Proposer à nouveau</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_settings.py" line="170" />
      <source>Publications</source>
      <translation>Publications</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="193" />
      <source>Publish</source>
      <translation>Publier</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="230" />
      <source>Publish anyway</source>
      <translation>Publier malgré tout</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="115" />
      <source>Publish as open data</source>
      <translation>Publier en open data</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/plugin_main.py" line="57" />
      <source>Publish as open data…</source>
      <translation>Publier en open data…</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_csw.py" line="32" />
      <source>Publish the metadata record to a CSW catalogue</source>
      <translation>Publier la fiche de métadonnées dans un catalogue CSW</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="172" />
      <source>Publish to</source>
      <translation>Publier vers</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_geoserver.py" line="63" />
      <source>Publish to GeoServer (WMS/WFS)</source>
      <translation>Publier sur GeoServer (WMS/WFS)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_postgis.py" line="30" />
      <source>Publish to PostGIS</source>
      <translation>Publier dans PostGIS</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_datagouv.py" line="39" />
      <source>Publish to data.gouv.fr</source>
      <translation>Publier sur data.gouv.fr</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_geoserver.py" line="92" />
      <source>Published layer names (comma-separated)</source>
      <translation>Noms des couches publiées (séparés par des virgules)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="555" />
      <source>Published: {0}.</source>
      <translation>Publié : {0}.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_settings.py" line="50" />
      <source>Python environment of odl-geo</source>
      <translation>Environnement Python d'odl-geo</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_settings.py" line="61" />
      <source>Python used</source>
      <translation>Python utilisé</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/style_export.py" line="96" />
      <source>QGIS could not export the style as SLD: {0}</source>
      <translation>QGIS n'a pas pu exporter le style en SLD : {0}</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="570" />
      <source>QGIS could not open the published WMS layer {0}.</source>
      <translation>QGIS n'a pas pu ouvrir la couche WMS publiée {0}.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/style_export.py" line="100" />
      <source>QGIS could not save the style as QML: {0}</source>
      <translation>QGIS n'a pas pu enregistrer le style en QML : {0}</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="179" />
      <source>Quality report</source>
      <translation>Rapport de qualité</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="41" />
      <source>Quarterly</source>
      <translation>Trimestrielle</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="36" />
      <source>Read and convert</source>
      <translation>Lire et convertir</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_mapping.py" line="96" />
      <source>Reading the layer's fields…</source>
      <translation>Lecture des champs de la couche…</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="538" />
      <source>Ready to publish.</source>
      <translation>Prêt à publier.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_settings.py" line="125" />
      <source>Ready: odl-geo and its libraries work with {0}.</source>
      <translation>Prêt : odl-geo et ses bibliothèques fonctionnent avec {0}.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_settings.py" line="157" />
      <source>Ready: the libraries are installed and checked with {0} (made from {1}).</source>
      <translation>Prêt : les bibliothèques sont installées et vérifiées avec {0} (créé à partir de {1}).</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_metadata_preview.py" line="18" />
      <source>Record</source>
      <translation>Fiche</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_csw.py" line="44" />
      <source>Record identifier</source>
      <translation>Identifiant de la fiche</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="221" />
      <source>Remove personal data (names, phones, e-mails of private persons)</source>
      <translation>Retirer les données personnelles (noms, téléphones, courriels de particuliers)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/theme_params.py" line="68" />
      <source>Remove personal data (names, phones, e-mails)</source>
      <translation>Retirer les données personnelles (noms, téléphones, courriels)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="63" />
      <source>Remove what an earlier conversion wrote in the folder (as its manifest lists)</source>
      <translation>Retirer ce qu'une conversion précédente a écrit dans le dossier (d'après son manifeste)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="91" />
      <source>Removed, from an earlier conversion: </source>
      <translation>Retiré, d'une conversion précédente : </translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/check.py" line="39" />
      <source>Report (HTML)</source>
      <translation>Rapport (HTML)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/inspect_file.py" line="39" />
      <source>Report (JSON)</source>
      <translation>Rapport (JSON)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/check.py" line="38" />
      <source>Report folder</source>
      <translation>Dossier du rapport</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_mapping.py" line="136" />
      <source>Required fields without a source or a value: </source>
      <translation>Champs obligatoires sans source ni valeur : </translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_geoserver.py" line="89" />
      <source>Resources created or updated</source>
      <translation>Ressources créées ou mises à jour</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_geoserver.py" line="90" />
      <source>Resources unchanged</source>
      <translation>Ressources inchangées</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/style_export.py" line="81" />
      <source>Rule-based labels are not exported; GeoServer will show no labels.</source>
      <translation>Les étiquettes par règles ne sont pas exportées ; GeoServer n'affichera pas d'étiquettes.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_review.py" line="38" />
      <source>Run the dry run</source>
      <translation>Lancer l'essai à blanc</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="496" />
      <source>Running: </source>
      <translation>En cours : </translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="142" />
      <source>Save this server</source>
      <translation>Enregistrer ce serveur</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="146" />
      <source>Saved server</source>
      <translation>Serveur enregistré</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="87" />
      <source>Scale (spatial resolution)</source>
      <translation>Échelle (résolution spatiale)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="79" />
      <source>Schema</source>
      <translation>Schéma</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_mapping.py" line="37" />
      <source>Schema field</source>
      <translation>Champ du schéma</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/plugin_main.py" line="60" />
      <source>Settings…</source>
      <translation>Paramètres…</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_issues.py" line="21" />
      <source>Severity</source>
      <translation>Gravité</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="82" />
      <source>Shapefile (zipped)</source>
      <translation>Shapefile (zippé)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="56" />
      <source>Source CRS (when the file has none)</source>
      <translation>SCR source (si le fichier n'en déclare pas)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_mapping.py" line="38" />
      <source>Source field</source>
      <translation>Champ de la couche</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_mapping.py" line="56" />
      <source>Start from a mapping file</source>
      <translation>Partir d'un fichier de correspondance</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="495" />
      <source>Step {0}/{1}: {2}</source>
      <translation>Étape {0}/{1} : {2}</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="63" />
      <source>Style</source>
      <translation>Style</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_geoserver.py" line="76" />
      <source>Style (SLD file or folder such as styles/flood)</source>
      <translation>Style (fichier SLD ou dossier comme styles/flood)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="68" />
      <source>Style name</source>
      <translation>Nom du style</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_geoserver.py" line="83" />
      <source>Style name (one-layer publications)</source>
      <translation>Nom du style (publication d'une seule couche)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_postgis.py" line="42" />
      <source>Tables published</source>
      <translation>Tables publiées</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="102" />
      <source>Tags (comma-separated)</source>
      <translation>Mots-clés (séparés par des virgules)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="169" />
      <source>Test the connection</source>
      <translation>Tester la connexion</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/connection_test.py" line="85" />
      <source>Testing…</source>
      <translation>Test en cours…</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/errors.py" line="47" />
      <source>Text encoding problem: </source>
      <translation>Problème d'encodage du texte : </translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="116" />
      <source>The CSW catalogue</source>
      <translation>Le catalogue CSW</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/connection_test.py" line="54" />
      <source>The CSW catalogue answers (GetCapabilities).</source>
      <translation>Le catalogue CSW répond (GetCapabilities).</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/toolbelt/messages.py" line="20" />
      <source>The M values (measures) of {layer} were dropped.</source>
      <translation>Les valeurs M (mesures) de {layer} ont été retirées.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/embed_copy.py" line="45" />
      <source>The code to paste into the commune's website: live map and data catalogue</source>
      <translation>Le code à coller dans le site de la commune : carte vivante et catalogue de données</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/errors.py" line="48" />
      <source>The data or the options need a correction: </source>
      <translation>Les données ou les options sont à corriger : </translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="417" />
      <source>The database address holds a password: put it in an authentication configuration.</source>
      <translation>L'adresse de la base contient un mot de passe : mettez-le dans une configuration d'authentification.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/embed_copy.py" line="77" />
      <source>The embed code could not be built: {0}</source>
      <translation>Le code d'intégration n'a pas pu être préparé : {0}</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_settings.py" line="161" />
      <source>The environment could not be prepared: </source>
      <translation>L'environnement n'a pas pu être préparé : </translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="392" />
      <source>The field mapping is still being read; try again in a moment.</source>
      <translation>La correspondance des champs est encore en lecture ; réessayez dans un instant.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/toolbelt/setup_task.py" line="65" />
      <source>The installation of the libraries failed: </source>
      <translation>L'installation des bibliothèques a échoué : </translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/style_export.py" line="56" />
      <source>The layer has no style to export.</source>
      <translation>La couche n'a pas de style à exporter.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="59" />
      <source>The layer's current QGIS style</source>
      <translation>Le style QGIS actuel de la couche</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/style_export.py" line="78" />
      <source>The layer's opacity is not exported (set the colours' transparency instead).</source>
      <translation>L'opacité de la couche n'est pas exportée (réglez plutôt la transparence des couleurs).</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/toolbelt/setup_task.py" line="69" />
      <source>The libraries are installed but odl-geo does not start with them: </source>
      <translation>Les bibliothèques sont installées mais odl-geo ne démarre pas avec elles : </translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="65" />
      <source>The name in WMS/WFS requests: letters, digits, '_' and '-'</source>
      <translation>Le nom dans les requêtes WMS/WFS : lettres, chiffres, « _ » et « - »</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="206" />
      <source>The preview failed:</source>
      <translation>L'aperçu a échoué :</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="92" />
      <source>The record's main elements as they will be published, built by odl-geo</source>
      <translation>Les éléments principaux de la fiche telle qu'elle sera publiée, construite par odl-geo</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/style_export.py" line="59" />
      <source>The renderer '{0}' cannot be written as SLD: GeoServer will draw a default style.</source>
      <translation>Le rendu « {0} » ne peut pas s'écrire en SLD : GeoServer dessinera un style par défaut.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="412" />
      <source>The report has warnings. Publish anyway?</source>
      <translation>Le rapport contient des avertissements. Publier quand même ?</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/errors.py" line="67" />
      <source>The server</source>
      <translation>Le serveur</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/errors.py" line="41" />
      <source>The server answered with an error: </source>
      <translation>Le serveur a répondu par une erreur : </translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/errors.py" line="42" />
      <source>The server cannot be reached: </source>
      <translation>Le serveur est injoignable : </translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/errors.py" line="40" />
      <source>The server refused the credentials: </source>
      <translation>Le serveur a refusé les identifiants : </translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/errors.py" line="44" />
      <source>The source cannot be found: </source>
      <translation>La source est introuvable : </translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/errors.py" line="45" />
      <source>The source cannot be read: </source>
      <translation>La source est illisible : </translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_geoserver.py" line="121" />
      <source>The style name {0!r} cannot be used on GeoServer: use letters, digits, '_' and '-', e.g. {1!r}.</source>
      <translation>Le nom de style {0!r} n'est pas accepté par GeoServer : utilisez des lettres, chiffres, « _ » et « - », p. ex. {1!r}.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/style_export.py" line="108" />
      <source>The style uses the field '{0}', which is not published: map it to a schema field or restyle.</source>
      <translation>Le style utilise le champ « {0} », qui n'est pas publié : associez-le à un champ du schéma ou changez le style.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/style_export.py" line="69" />
      <source>The symbol layer '{0}' has no SLD equivalent: it is left out.</source>
      <translation>La couche de symbole « {0} » n'a pas d'équivalent SLD : elle est omise.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="58" />
      <source>The theme's national style</source>
      <translation>Le style national du thème</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="145" />
      <source>Theme</source>
      <translation>Thème</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/convert.py" line="51" />
      <source>Theme (national schema product)</source>
      <translation>Thème (produit selon le schéma national)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="584" />
      <source>This row names no feature to show.</source>
      <translation>Cette ligne ne désigne aucun objet à montrer.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_metadata_preview.py" line="36" />
      <source>Title</source>
      <translation>Titre</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_metadata_preview.py" line="62" />
      <source>To complete</source>
      <translation>À compléter</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="170" />
      <source>To complete:</source>
      <translation>À compléter :</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="40" />
      <source>Twice a year</source>
      <translation>Semestrielle</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="47" />
      <source>Unknown</source>
      <translation>Inconnue</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_metadata_preview.py" line="44" />
      <source>Update frequency</source>
      <translation>Fréquence de mise à jour</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_mapping.py" line="39" />
      <source>Value for every feature</source>
      <translation>Valeur pour tous les objets</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_mapping.py" line="179" />
      <source>Value in the layer</source>
      <translation>Valeur dans la couche</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_mapping.py" line="64" />
      <source>Values the schema does not know: choose their code</source>
      <translation>Valeurs inconnues du schéma : choisissez leur code</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_settings.py" line="66" />
      <source>Verify</source>
      <translation>Vérifier</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_issues.py" line="29" />
      <source>Warning</source>
      <translation>Avertissement</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/check.py" line="41" />
      <source>Warnings</source>
      <translation>Avertissements</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="77" />
      <source>Water points</source>
      <translation>Points d'eau</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="43" />
      <source>Weekly</source>
      <translation>Hebdomadaire</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="46" />
      <source>When needed (punctual)</source>
      <translation>Au besoin (ponctuelle)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="61" />
      <source>Workspace</source>
      <translation>Espace de travail</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_mapping.py" line="151" />
      <source>Written by the odl-geo QGIS plugin; usable with: odl-geo convert --mapping</source>
      <translation>Écrit par l'extension QGIS odl-geo ; utilisable avec : odl-geo convert --mapping</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="140" />
      <source>a name, e.g. Région Occitanie</source>
      <translation>un nom, p. ex. Région Occitanie</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_mapping.py" line="135" />
      <source>allowed values</source>
      <translation>valeurs admises</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="64" />
      <source>comma-separated, e.g. Cévennes, Lozère</source>
      <translation>séparés par des virgules, ex. Cévennes, Lozère</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="86" />
      <source>data.gouv.fr</source>
      <translation>data.gouv.fr</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/connection_test.py" line="43" />
      <source>data.gouv.fr answers; the API key is {0}'s.</source>
      <translation>data.gouv.fr répond ; la clé d'API est celle de {0}.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="230" />
      <source>data.gouv.fr, organization {0}: “{1}”, {2}, licence {3}, tags: {4}.</source>
      <translation>data.gouv.fr, organisation {0} : « {1} », {2}, licence {3}, mots-clés : {4}.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_publish.py" line="106" />
      <source>data.gouv.fr: {0} ({1} bytes sent).</source>
      <translation>data.gouv.fr : {0} ({1} octets envoyés).</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/toolbelt/i18n.py" line="31" />
      <source>en</source>
      <translation>fr</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/base.py" line="75" />
      <source>error</source>
      <translation>erreur</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/base.py" line="75" />
      <source>info</source>
      <translation>info</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_mapping.py" line="26" />
      <source>known synonym</source>
      <translation>synonyme connu</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_mapping.py" line="23" />
      <source>mapping file</source>
      <translation>fichier de correspondance</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_mapping.py" line="114" />
      <source>no answer</source>
      <translation>pas de réponse</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="76" />
      <source>not given</source>
      <translation>non indiquée</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/errors.py" line="50" />
      <source>odl-geo could not finish: </source>
      <translation>odl-geo n'a pas pu terminer : </translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_settings.py" line="208" />
      <source>odl-geo needs Python libraries (geopandas, pyogrio, pyproj…) that {0} does not have. Click Install the libraries: odl-geo makes its own environment in the QGIS profile and installs the tested versions there; QGIS and its Python are not changed.</source>
      <translation>odl-geo a besoin de bibliothèques Python (geopandas, pyogrio, pyproj…) que {0} n'a pas. Cliquez sur Installer les bibliothèques : odl-geo crée son propre environnement dans le profil QGIS et y installe les versions testées ; QGIS et son Python ne sont pas modifiés.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_settings.py" line="133" />
      <source>odl-geo: checking the libraries</source>
      <translation>odl-geo : vérification des bibliothèques</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_mapping.py" line="98" />
      <source>odl-geo: field mapping</source>
      <translation>odl-geo : correspondance des champs</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_settings.py" line="205" />
      <source>odl-geo: first use</source>
      <translation>odl-geo : première utilisation</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/toolbelt/setup_task.py" line="43" />
      <source>odl-geo: preparing its Python environment</source>
      <translation>odl-geo : préparation de son environnement Python</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/connection_test.py" line="102" />
      <source>odl-geo: testing the connection</source>
      <translation>odl-geo : test de la connexion</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_geoserver.py" line="142" />
      <source>ok</source>
      <translation>ok</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="229" />
      <source>private (draft)</source>
      <translation>privé (brouillon)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/dlg_metadata_preview.py" line="39" />
      <source>provisional</source>
      <translation>provisoire</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_targets.py" line="229" />
      <source>public</source>
      <translation>public</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_mapping.py" line="27" />
      <source>resemblance: check it</source>
      <translation>ressemblance : à vérifier</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_mapping.py" line="24" />
      <source>same name</source>
      <translation>même nom</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_mapping.py" line="25" />
      <source>same name (case, accents)</source>
      <translation>même nom (casse, accents)</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_metadata.py" line="162" />
      <source>the Metadata tab</source>
      <translation>l'onglet Métadonnées</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_mapping.py" line="133" />
      <source>type</source>
      <translation>type</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/inspect_file.py" line="60" />
      <source>unknown</source>
      <translation>inconnu</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/base.py" line="75" />
      <source>warning</source>
      <translation>avertissement</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/publish_geoserver.py" line="132" />
      <source>would send: </source>
      <translation>enverrait : </translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/mdl_mapping.py" line="28" />
      <source>your choice</source>
      <translation>votre choix</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/connection_test.py" line="52" />
      <source>{0} answered HTTP {1}, not a CSW GetCapabilities.</source>
      <translation>{0} a répondu HTTP {1}, pas un GetCapabilities CSW.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/errors.py" line="76" />
      <source>{0} asks for credentials and no authentication configuration was chosen.</source>
      <translation>{0} demande des identifiants et aucune configuration d'authentification n'a été choisie.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/errors.py" line="80" />
      <source>{0} cannot be reached or did not answer in time.</source>
      <translation>{0} est injoignable ou n'a pas répondu à temps.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/toolbelt/environment.py" line="124" />
      <source>{0} cannot create virtual environments: the python3-venv package is missing. Install it, then click Install the libraries again: {1}</source>
      <translation>{0} ne peut pas créer d'environnement virtuel : le paquet python3-venv manque. Installez-le, puis cliquez à nouveau sur Installer les bibliothèques : {1}</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/toolbelt/environment.py" line="128" />
      <source>{0} could not create the environment: </source>
      <translation>{0} n'a pas pu créer l'environnement : </translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/publish_runner.py" line="215" />
      <source>{0} feature selected in {1}.</source>
      <translation>{0} objet sélectionné dans {1}.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/publish_runner.py" line="215" />
      <source>{0} features selected in {1}.</source>
      <translation>{0} objets sélectionnés dans {1}.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/toolbelt/environment.py" line="136" />
      <source>{0} is missing from the plugin: reinstall the plugin.</source>
      <translation>{0} manque dans l'extension : réinstallez l'extension.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/errors.py" line="70" />
      <source>{0} refused the credentials of the QGIS authentication configuration “{1}”.</source>
      <translation>{0} a refusé les identifiants de la configuration d'authentification QGIS « {1} ».</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_mapping.py" line="141" />
      <source>{0} value without a code.</source>
      <translation>{0} valeur sans code.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/gui/wdg_mapping.py" line="141" />
      <source>{0} values without a code.</source>
      <translation>{0} valeurs sans code.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/inspect_file.py" line="61" />
      <source>{0}: {1} features, CRS {2}</source>
      <translation>{0} : {1} objets, SCR {2}</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/toolbelt/messages.py" line="21" />
      <source>{layer} cannot be read.</source>
      <translation>{layer} est illisible.</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/toolbelt/messages.py" line="18" />
      <source>{layer} has no coordinate reference system (its .prj file is missing).</source>
      <translation>{layer} n'a pas de système de coordonnées (son fichier .prj manque).</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/theme_params.py" line="39" />
      <source>…or a file, folder or zip</source>
      <translation>…ou un fichier, dossier ou zip</translation>
    </message>
    <message>
      <location filename="../../../qgis_plugin/processing/theme_params.py" line="36" />
      <source>…or several layers of one set (flood: PPR layers)</source>
      <translation>…ou plusieurs couches d'un même ensemble (inondation : couches du PPR)</translation>
    </message>
  </context>
</TS>
