// TUNE answers 200 either way: its body decides whether a postback was taken.

import { expect } from 'chai';
import createTunePlugin from '../../plugins/tune/index.js';

const judge = (body: string | null) => createTunePlugin().judgeResponse?.({ statusCode: 200, bodyExcerpt: body });

describe('tune: judging the answer', () => {
  it('accepts success=true and a body without a verdict', () => {
    expect(judge('success=true;')).to.equal(null);
    expect(judge(null)).to.equal(null);
  });

  it('refuses success=false with its err_msg', () => {
    expect(judge('success=false; err_msg=Invalid Trans. ID #12;')).to.equal('TUNE refused the postback: Invalid Trans. ID #12');
    expect(judge('success=false;')).to.equal('TUNE refused the postback: no err_msg');
  });

  it('takes a duplicate refusal as delivered, since a retry finds the conversion already there', () => {
    expect(judge('success=false; err_msg=Duplicate conversion;')).to.equal(null);
  });
});
