// The JSON structure check (duplicate keys, depth) and the secret masker, on their own.

import { expect } from 'chai';
import { inspectJson } from '../../lib/http/json-shape.js';
import { createMasker, maskSettings } from '../../lib/secrets.js';

describe('inspectJson', () => {
  it('finds a duplicate key at any depth, and only within one object', () => {
    expect(inspectJson('{"a":1,"a":2}')?.message).to.match(/"a" appears twice/);
    expect(inspectJson('{"x":{"b":{"c":1},"b":2}}')?.message).to.match(/"b" appears twice/);
    expect(inspectJson('{"list":[{"a":1},{"a":2}],"a":3}')).to.equal(undefined);
    expect(inspectJson('{"a":[1,2],"b":"a","c":{"a":1}}')).to.equal(undefined);
    expect(inspectJson('{"a":1,"\\u0061":2}')?.message).to.match(/"a" appears twice/);
  });

  it('is not fooled by braces, quotes and commas inside strings', () => {
    expect(inspectJson('{"a":"{\\"a\\":1,","b":"]}"}')).to.equal(undefined);
    expect(inspectJson('{"a\\"":1,"a":2}')).to.equal(undefined);
  });

  it('refuses nesting past the limit without recursing', () => {
    expect(inspectJson('[[[]]]', 3)).to.equal(undefined);
    expect(inspectJson('[[[[]]]]', 3)?.message).to.match(/more than 3 levels/);
    expect(inspectJson(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)?.message).to.match(/nested more than/);
  });

  it('refuses a number written with an exponent or more than 15 significant digits, naming its path', () => {
    expect(inspectJson('{"amount":1e3}')).to.include({ kind: 'inexact_number', field: 'amount' });
    expect(inspectJson('{"a":[1,{"b":1250E-2}]}')).to.include({ kind: 'inexact_number', field: 'a[1].b' });
    expect(inspectJson('{"amount":12.500000000000000001}')).to.include({ field: 'amount' });
    expect(inspectJson('[1234567890123456]')).to.include({ field: '[0]' });
    expect(inspectJson('{"amount":12.50,"x":-0.000001,"y":1.500000000000000000,"z":[0,-1]}')).to.equal(undefined);
    expect(inspectJson('{"s":"1e3","t":"12.500000000000000001"}')).to.equal(undefined);
  });

  it('leaves text that is not JSON to JSON.parse', () => {
    expect(inspectJson('{"a":"unterminated')).to.equal(undefined);
    expect(inspectJson('{"\\x":1,"\\q')).to.equal(undefined);
  });
});

describe('secret masker', () => {
  it('masks a secret raw, percent-encoded and form-encoded, longest first', () => {
    const mask = createMasker(['a b/c+d', 'ab']);
    expect(mask('x=a b/c+d')).to.equal('x=***');
    expect(mask(`x=${encodeURIComponent('a b/c+d')}`)).to.equal('x=***');
    expect(mask('x=a+b%2Fc%2Bd')).to.equal('x=***');
    expect(mask('ab-cd')).to.equal('***-cd');
  });

  it('leaves text alone without secrets, and masks every string of nested settings', () => {
    expect(createMasker([''])('anything')).to.equal('anything');
    expect(maskSettings({ url: 'https://t/pb?k=S3', body: { k: 'S3', n: 1 }, list: ['S3'] }, createMasker(['S3']))).to.deep.equal({
      url: 'https://t/pb?k=***',
      body: { k: '***', n: 1 },
      list: ['***'],
    });
  });
});
