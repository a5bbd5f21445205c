// Debian's headless Chromium through playwright-core. Without it a plain `npm test` skips the browser suites with a
// loud banner (like the MySQL half); CI sets PB_REQUIRE_BROWSER=1 (.ci/run), where a missing Chromium fails the run.

import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

/** Debian's Chromium, or PB_CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.PB_CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Set by .ci/run: a missing Chromium fails the run instead of skipping the browser suites. */
export const BROWSER_REQUIRED = process.env.PB_REQUIRE_BROWSER === '1';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: apt-get install -y chromium (.ci/run does)`);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // Loopback only, and nothing the browser would fetch on its own.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 30_000,
  });
}

/**
 * `describe` for a suite that drives Chromium. Without Chromium (and without PB_REQUIRE_BROWSER=1) the suite is
 * registered skipped, so none of its hooks run, and a banner says why and how to run it.
 */
export function describeWithChromium(title: string, suite: (this: Mocha.Suite) => void): void {
  if (existsSync(CHROMIUM_PATH) || BROWSER_REQUIRED) {
    describe(title, suite);
    return;
  }
  console.warn(
    `\n  !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n` +
      `  !! SKIPPING the browser suite "${title}": ${CHROMIUM_PATH} is missing.\n` +
      `  !! apt-get install -y chromium (or set PB_CHROMIUM_PATH) to run it; CI requires it.\n` +
      `  !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n`,
  );
  describe.skip(title, suite);
}
