// The dashboard stylesheet's focus outlines against the backgrounds they are drawn on, computed from its colours
// (the browser suite checks the same on every rendered page; this runs where no browser is installed).

import { expect } from 'chai';
import { DASHBOARD_CSS } from '../../lib/dashboard/assets.js';
import { contrast } from '../helpers/contrast.js';

/** The colour a declaration in the rule for `selector` sets, e.g. `background` of `html`. */
function colour(selector: string, property: string): string {
  const rule = DASHBOARD_CSS.split('\n').find((line) => line.startsWith(`${selector}{`));
  expect(rule, `a rule for ${selector}`).to.be.a('string');
  const value = new RegExp(`(?:^|[{;])${property}:[^;}]*?(#[0-9a-f]{6}|#[0-9a-f]{3})(?![0-9a-f])`, 'i').exec(rule!)?.[1];
  expect(value, `${selector} { ${property} }`).to.be.a('string');
  return value!;
}

describe('dashboard stylesheet', () => {
  it('draws the focus outline at 3:1 or more on every background it can sit on', () => {
    const outline = colour(':focus-visible', 'outline');
    const inHeader = colour('header :focus-visible', 'outline-color');
    expect(contrast(outline, colour('html', 'background')), 'on the page').to.be.at.least(3);
    expect(contrast(outline, colour('section,.card', 'background')), 'in a section').to.be.at.least(3);
    expect(contrast(outline, colour('.alert', 'background')), 'around an error summary').to.be.at.least(3);
    expect(contrast(inHeader, colour('header', 'background')), 'in the header').to.be.at.least(3);
  });

  it('reads the contrast of the outline colour the issue measured as too low', () => {
    // The helper itself: the old amber on the page background is the 1.9:1 that was reported.
    expect(contrast('#f5a623', '#f6f7f9')).to.be.within(1.85, 1.95);
    expect(contrast('#000', 'rgb(255, 255, 255)')).to.equal(21);
  });
});
