// Exact money: parsing, formatting and arithmetic never go through a float.

import { expect } from 'chai';
import { addDecimal, fromUnits, normalizeDecimal, parseDecimal, subtractDecimal, toUnits } from '../../lib/money.js';

describe('money', () => {
  it('parses decimal strings into canonical form', () => {
    const cases: Array<[unknown, string]> = [
      ['12.50', '12.5'],
      ['0', '0'],
      ['000.100000', '0.1'],
      ['-3.25', '-3.25'],
      ['-0.00', '0'],
      ['9999999999999.999999', '9999999999999.999999'],
      [12.5, '12.5'],
      [0.1, '0.1'],
      [7, '7'],
    ];
    for (const [input, expected] of cases) expect(parseDecimal(input), String(input)).to.deep.equal({ ok: true, value: expected });
  });

  it('refuses what is not an exact decimal, saying why', () => {
    const cases: Array<[unknown, string]> = [
      ['abc', 'not_a_decimal'],
      ['1e3', 'not_a_decimal'],
      ['+1', 'not_a_decimal'],
      ['1.', 'not_a_decimal'],
      ['.5', 'not_a_decimal'],
      ['NaN', 'not_a_decimal'],
      [Infinity, 'not_a_decimal'],
      [Number.NaN, 'not_a_decimal'],
      [null, 'not_a_decimal'],
      [true, 'not_a_decimal'],
      ['0.1234567', 'too_many_decimals'],
      ['10000000000000', 'too_large'],
      [1e21, 'inexact_number'],
      [1e-7, 'inexact_number'],
      [0.1 + 0.2, 'inexact_number'],
    ];
    for (const [input, problem] of cases) expect(parseDecimal(input), String(input)).to.deep.equal({ ok: false, problem });
  });

  it('adds and subtracts exactly where floats would not', () => {
    expect(addDecimal('0.1', '0.2')).to.equal('0.3');
    expect(subtractDecimal('10.25', '12.5')).to.equal('-2.25');
    expect(addDecimal('9999999999999.999999', '0.000001')).to.equal('10000000000000');
    expect(toUnits('1.5')).to.equal(1_500_000n);
    expect(fromUnits(-1n)).to.equal('-0.000001');
  });

  it('normalises DECIMAL column values as the drivers return them', () => {
    expect(normalizeDecimal('12.500000')).to.equal('12.5');
    expect(normalizeDecimal('0.000000')).to.equal('0');
    expect(() => normalizeDecimal('garbage')).to.throw(TypeError, /garbage/);
  });
});
