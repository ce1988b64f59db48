#!/usr/bin/env node
/**
 * The h5 build must work without any network but its own origin (no CDN scripts, styles, fonts or images).
 * Fails when index.html or a stylesheet refers to another origin, or when a script contains a URL other than the
 * inert ones that libraries carry (XML namespaces, links inside error messages and licence comments).
 */
const fs = require('fs');
const path = require('path');

const distDir = path.resolve(__dirname, '..', 'dist', 'h5');
if (!fs.existsSync(path.join(distDir, 'index.html'))) {
  console.error(`No h5 build at ${distDir}: run \`npm run build:h5 -w miniapp\` first.`);
  process.exit(1);
}

/** URLs that are identifiers or documentation, never fetched. */
const INERT_URLS = [
  /^http:\/\/www\.w3\.org\//, // SVG, XHTML, XLink, MathML namespaces
  /^https:\/\/reactjs\.org\/docs\/error-decoder\.html/, // React's production error messages
  /^https:\/\/stenciljs\.com\/docs\//, // Stencil warnings
  /^https:\/\/taro\.com$/, // @tarojs/router's base for parsing relative URLs
  /^https:\/\/query-string\.invalid$/, // query-string's base for parsing relative URLs
  /^https:\/\/git\.new\/pathToRegexpError$/, // path-to-regexp's error message
  /^https?:\/\/(github\.com|angular\.io|www\.kriasoft\.com|jedwatson\.github\.io)\//, // licence comments
];

function* files(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else yield full;
  }
}

const problems = [];
for (const file of files(distDir)) {
  const relative = path.relative(distDir, file);
  const text = fs.readFileSync(file, 'utf8');
  if (/\.(html|css)$/.test(file)) {
    const refs = text.match(/(?:src|href)\s*=\s*["']?(?:https?:)?\/\/[^"'\s>]+|url\(\s*["']?(?:https?:)?\/\/[^)"']+/gi) || [];
    for (const ref of refs) problems.push(`${relative}: ${ref}`);
  } else if (/\.(js|txt)$/.test(file)) {
    for (const url of new Set(text.match(/https?:\/\/[^\s"'`)<>\\]+/g) || [])) {
      const bare = url.replace(/[.,;:]+$/, '');
      if (!INERT_URLS.some((pattern) => pattern.test(bare))) problems.push(`${relative}: ${bare}`);
    }
  }
}

if (problems.length > 0) {
  console.error('✖ dist/h5 refers to other origins:');
  for (const problem of problems) console.error(`  ${problem}`);
  process.exit(1);
}
console.log('✔ dist/h5 loads nothing from other origins');
