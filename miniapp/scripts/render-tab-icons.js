#!/usr/bin/env node
/**
 * Development tool, not part of the build: renders the tab bar icons (81×81 PNG, as WeChat recommends) from the
 * SVG outlines below with the Chromium that the e2e tests use. Run it after changing an outline and commit the PNGs.
 *   node miniapp/scripts/render-tab-icons.js
 */
const path = require('path');
const { chromium } = require('playwright-core');

const OUT_DIR = path.resolve(__dirname, '..', 'src', 'assets', 'tabbar');
const COLORS = { normal: '#6b7280', active: '#1d4ed8' };
const SIZE = 81;

// 24×24 outlines, stroked.
const ICONS = {
  home: '<path d="M3 10.5 12 3l9 7.5"/><path d="M5 9.5V20h5v-6h4v6h5V9.5"/>',
  messages: '<path d="M4 5h16v11H9l-5 4z"/><path d="M8 9h8M8 12h5"/>',
  mine: '<circle cx="12" cy="8" r="4"/><path d="M4 21c0-4.4 3.6-7 8-7s8 2.6 8 7"/>',
};

function svg(body, color) {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 24 24" fill="none"
    stroke="${color}" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">${body}</svg>`;
}

(async () => {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium' });
  const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE } });
  for (const [name, body] of Object.entries(ICONS)) {
    for (const [state, color] of Object.entries(COLORS)) {
      await page.setContent(`<html><body style="margin:0;background:transparent">${svg(body, color)}</body></html>`);
      const file = path.join(OUT_DIR, `${name}${state === 'active' ? '-active' : ''}.png`);
      await page.screenshot({ path: file, omitBackground: true, clip: { x: 0, y: 0, width: SIZE, height: SIZE } });
      console.log(`wrote ${path.relative(process.cwd(), file)}`);
    }
  }
  await browser.close();
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
