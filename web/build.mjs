// build.mjs — builds web/dist, the files `xsell serve --web web/dist` answers
// at / and /assets/ (docs/dashboard.md): copies src/index.html, src/app.js,
// src/i18n.js, src/app.css and the vendored Chart.js UMD bundle from node_modules (run
// `npm ci` first). No bundler: the page is plain HTML, CSS and one ES module.
// Usage: node build.mjs [OUT_DIR]   (default web/dist)
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = resolve(process.argv[2] || join(here, 'dist'));
const chart = join(here, 'node_modules', 'chart.js', 'dist', 'chart.umd.min.js');

if (!existsSync(chart)) {
  console.error(`web/build.mjs: ${chart} is missing: run "npm ci" in web/ first`);
  process.exit(1);
}
rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'assets'), { recursive: true });
copyFileSync(join(here, 'src', 'index.html'), join(dist, 'index.html'));
for (const f of ['app.js', 'i18n.js', 'app.css']) copyFileSync(join(here, 'src', f), join(dist, 'assets', f));
// the source map is not shipped: drop the comment that points at it
const lib = readFileSync(chart, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
writeFileSync(join(dist, 'assets', 'chart.umd.min.js'), lib);
const version = JSON.parse(readFileSync(join(here, 'node_modules', 'chart.js', 'package.json'), 'utf8')).version;
console.log(`${dist}: index.html, assets/app.js, assets/i18n.js, assets/app.css, assets/chart.umd.min.js (Chart.js ${version})`);
