// Builds odl_geo/embed/static/ (the bundle odl-geo serves and communes may host): run `node web/build.mjs`
// from anywhere after `npm ci` in web/. esbuild: one ES module entry (odl-embed.js) + on-demand chunks
// (code splitting: the OpenLayers map is fetched only when an <odl-map> is on the page) + one stylesheet.
import * as esbuild from 'esbuild';
import { rmSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = dirname(fileURLToPath(import.meta.url));
const outdir = join(web, '..', 'odl_geo', 'embed', 'static');
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const common = {
  absWorkingDir: web, bundle: true, minify: true, target: 'es2020', legalComments: 'none', logLevel: 'warning',
  loader: { '.png': 'dataurl', '.svg': 'dataurl' }, outdir,
};
await esbuild.build({
  ...common, entryPoints: { 'odl-embed': 'src/odl-embed.js' }, format: 'esm', splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});
await esbuild.build({ ...common, entryPoints: { 'odl-embed': 'src/odl-embed.css' } });
console.log(`odl-embed built into ${outdir}`);
