import { readFileSync, writeFileSync } from 'node:fs';

/**
 * `redocly build-docs --inlineBundle` embeds Redoc's scripts, but Redoc still fetches its
 * "API docs by" logo from Redocly's CDN at load. /docs must ask nothing of any other host, so
 * the logo URLs are replaced by an empty inline image. (The bundle also names icon CDNs that
 * this page never loads; test/browser/docs-page.test.ts fails on any request that leaves.)
 */
const LOGOS = ['https://cdn.redoc.ly/redoc/logo-mini-full.svg', 'https://cdn.redoc.ly/redoc/logo-mini.svg'];
const EMPTY_IMAGE = 'data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E';

export function makeOffline(html: string): string {
  let page = html;
  for (const logo of LOGOS) page = page.replaceAll(logo, EMPTY_IMAGE);
  return page;
}

const file = process.argv[2];
if (file !== undefined) writeFileSync(file, makeOffline(readFileSync(file, 'utf8')));
