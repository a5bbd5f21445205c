// The package version, read once from package.json (two levels up from both lib/ and dist/lib/).

import { readFileSync } from 'node:fs';

function findVersion(): string {
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'postback-relay' && pkg.version) return pkg.version;
    } catch {
      // Not at this level; try the next one.
    }
  }
  return '0.0.0';
}

/** This package's version. */
export const VERSION = findVersion();
