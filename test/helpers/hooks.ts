// Mocha root hooks (.mocharc.json `require`): the run must leave the user's own ./data/ (the server's default SQLite
// file, which `npm start` and the dashboard show) exactly as it found it.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const DATA = new URL('../../data/', import.meta.url).pathname;

/** Every file under ./data/ with its size and modification time. */
export function snapshotDataDir(dir = DATA): Record<string, string> {
  if (!existsSync(dir)) return {};
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((name) => {
      const stat = statSync(join(dir, name));
      return [name, `${stat.size}@${stat.mtimeMs}`];
    }),
  );
}

let before: Record<string, string> = {};

export const mochaHooks = {
  beforeAll(): void {
    before = snapshotDataDir();
  },
  afterAll(): void {
    const after = snapshotDataDir();
    const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((name) => before[name] !== after[name]);
    if (changed.length > 0) throw new Error(`the tests wrote into ./data/ (the user's own database): ${changed.join(', ')}`);
  },
};
