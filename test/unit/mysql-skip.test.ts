// Without MySQL a plain run skips the MySQL-only suites with a banner each; with PB_REQUIRE_MYSQL=1 (CI) it fails.

import { expect } from 'chai';
import { runMocha } from '../helpers/child-run.js';
import type { ChildRun } from '../helpers/child-run.js';

// The MySQL-only suites that run no SQLite half; port 9 on loopback refuses at once.
const SUITES = ['database-cutoff', 'ingest-fallback', 'multi-instance', 'time-window-plan'].map((name) => `test/integration/${name}.test.ts`);

function mocha(env: Record<string, string>): Promise<ChildRun> {
  return runMocha(['--no-config', '--import=tsx', '--timeout', '30000', ...SUITES], { PB_REQUIRE_MYSQL: '', ...env, TEST_MYSQL_URL: 'mysql://root@127.0.0.1:9/test' });
}

describe('MySQL-only suites without MySQL', function () {
  this.timeout(120_000);

  it('are skipped with a banner each on a plain run, none failing', async () => {
    const run = await mocha({});
    expect(run.code, run.output).to.equal(0);
    expect(run.output.match(/!! SKIPPING "[^"]+": mysql:\/\/root@127\.0\.0\.1:9\/test does not answer/g), run.output).to.have.length(4);
    expect(run.output).to.include('0 passing').and.not.include('failing');
  });

  it('fail the run when PB_REQUIRE_MYSQL=1, as in CI', async () => {
    const run = await mocha({ PB_REQUIRE_MYSQL: '1' });
    expect(run.code).to.not.equal(0);
    expect(run.output).to.include('MySQL is required (PB_REQUIRE_MYSQL=1) but mysql://root@127.0.0.1:9/test does not answer');
  });
});
