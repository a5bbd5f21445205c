// The error catalog: every code is documented, and each key equals its code.

import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { ERROR_CODES } from '../../lib/errors.js';

describe('error catalog', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

  it('documents every code in docs/errors.md, and nothing else', () => {
    const documented = [...doc.matchAll(/^\| `(ERR_PB_[A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).to.deep.equal(Object.keys(ERROR_CODES).sort());
  });

  it('keys each code by itself', () => {
    for (const [key, code] of Object.entries(ERROR_CODES)) expect(code).to.equal(key);
  });
});
