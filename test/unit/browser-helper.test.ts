// Without Chromium a plain run skips the browser suites with a banner; with PB_REQUIRE_BROWSER=1 (CI) it fails.

import { expect } from 'chai';
import { runMocha } from '../helpers/child-run.js';
import type { ChildRun } from '../helpers/child-run.js';


function mocha(env: Record<string, string>, spec = 'test/fixtures/browser-suite/suite.ts'): Promise<ChildRun> {
  return runMocha(['--no-config', '--import=tsx', spec], { PB_REQUIRE_BROWSER: '', ...env, PB_CHROMIUM_PATH: '/nonexistent/chromium' });
}

describe('browser suites without Chromium', function () {
  this.timeout(60_000);

  it('are skipped with a banner on a plain run, with no failing hook', async () => {
    const run = await mocha({});
    expect(run.code, run.output).to.equal(0);
    expect(run.output).to.include('SKIPPING the browser suite "a suite that needs Chromium": /nonexistent/chromium is missing');
    expect(run.output).to.match(/0 passing[\s\S]*1 pending/);
    expect(run.output).to.not.include('TypeError');
  });

  it("are the project's own browser suites too: each is skipped, none fails", async () => {
    const run = await mocha({}, 'test/browser/*.test.ts');
    expect(run.code, run.output).to.equal(0);
    expect(run.output.match(/SKIPPING the browser suite/g), run.output).to.have.length(4);
    expect(run.output).to.include('0 passing').and.not.include('failing');
  });

  it('fail the run when PB_REQUIRE_BROWSER=1, as in CI', async () => {
    const run = await mocha({ PB_REQUIRE_BROWSER: '1' });
    expect(run.code).to.not.equal(0);
    expect(run.output).to.include('/nonexistent/chromium is missing: apt-get install -y chromium');
  });
});
