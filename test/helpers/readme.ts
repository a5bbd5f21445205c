// Code blocks of README.md, found by the `<!-- marker` comment before them, for the tests that run them.

import { readFileSync } from 'node:fs';

const README = new URL('../../README.md', import.meta.url);

/** The README's code block after the `<!-- <marker>` comment. */
export function readmeBlock(marker: string): string {
  const readme = readFileSync(README, 'utf8');
  const at = readme.indexOf(`<!-- ${marker}`);
  if (at < 0) throw new Error(`README.md has no "<!-- ${marker}" block`);
  const match = /```\w*\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!match?.[1]) throw new Error(`no code block after "<!-- ${marker}"`);
  return match[1];
}
