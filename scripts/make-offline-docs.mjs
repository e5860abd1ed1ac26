// Build step (plain JS, run by `npm run docs`): makes the Redoc page ask nothing of any other host.
import { readFileSync, writeFileSync } from 'node:fs';

/**
 * `redocly build-docs --inlineBundle` embeds Redoc's scripts, but Redoc still fetches its
 * "API docs by" logo from Redocly's CDN at load. /docs must ask nothing of any other host, so
 * the logo URLs are replaced by an empty inline image. (The bundle also names icon CDNs that
 * this page never loads; test/browser/docs-page.test.ts fails on any request that leaves.)
 */
const LOGOS = ['https://cdn.redoc.ly/redoc/logo-mini-full.svg', 'https://cdn.redoc.ly/redoc/logo-mini.svg'];
const EMPTY_IMAGE = 'data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: node scripts/make-offline-docs.mjs FILE');
let page = readFileSync(file, 'utf8');
for (const logo of LOGOS) page = page.replaceAll(logo, EMPTY_IMAGE);
writeFileSync(file, page);
