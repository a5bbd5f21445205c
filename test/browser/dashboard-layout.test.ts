// Every dashboard page in headless Chromium at 1280 px and at 375 px: nothing wider than the window, axe-core finds no
// serious or critical violation, the focus outline stands out from what is behind it, the chart's labels can be read.
// Screenshots of each page at each width go to test-artifacts/dashboard/. (Page code is passed as strings: the
// project's TypeScript has no DOM types.)

import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect } from 'chai';
import express from 'express';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describeWithChromium, launchChromium } from '../helpers/browser.js';
import { contrast } from '../helpers/contrast.js';
import { sqliteTarget } from '../helpers/databases.js';
import { waitForDeliveries } from '../helpers/delivery.js';
import { startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import { serveOnLoopback } from '../helpers/serve-app.js';
import type { ServedApp } from '../helpers/serve-app.js';
import { startTestTracker } from '../helpers/tracker.js';
import type { TestTracker } from '../helpers/tracker.js';

const ARTIFACTS = new URL('../../test-artifacts/dashboard/', import.meta.url);
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const LONG_AFFILIATE = 'affiliate-with-a-rather-long-identifier-000123';
const LONG_CLICK = 'click-0123456789abcdef0123456789abcdef0123456789abcdef0123456789';
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 900, isMobile: false },
  { name: 'phone', width: 375, height: 740, isMobile: true },
] as const;

interface Overflow {
  scrollWidth: number;
  innerWidth: number;
  /** Elements whose box goes past the right edge of the window, or is wider than it. */
  wide: string[];
}

// Elements clipped away (the visually hidden captions and table heads) are not on screen, whatever their box.
const OVERFLOW = `(() => {
  const clipped = (el) => { for (let at = el; at; at = at.parentElement) if (getComputedStyle(at).clip !== 'auto') return true; return false; };
  const wide = [...document.body.querySelectorAll('*')].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && (box.right > innerWidth + 0.5 || box.width > innerWidth + 0.5) && !clipped(el);
  }).map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') + ' right=' + Math.round(el.getBoundingClientRect().right));
  return { scrollWidth: document.documentElement.scrollWidth, innerWidth, wide };
})()`;

// With how many rules passed, so a run that checked nothing cannot pass for a clean one.
const AXE_RUN = `axe.run(document, { resultTypes: ['violations'] }).then((result) => ({ passed: result.passes.length, violations: result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) })) }))`;

/** The outline of the focused element and the colour behind it: the first opaque background up from its parent. */
const FOCUS_RING = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  let behind = 'rgb(255, 255, 255)';
  for (let at = el.parentElement; at; at = at.parentElement) {
    const bg = getComputedStyle(at).backgroundColor;
    if (bg !== 'transparent' && !/rgba\\(.*, 0\\)$/.test(bg)) { behind = bg; break; }
  }
  return { what: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' ' + (el.textContent || '').trim().slice(0, 30), style: style.outlineStyle, width: parseFloat(style.outlineWidth), color: style.outlineColor, behind };
})()`;

describeWithChromium('dashboard layout and accessibility in headless Chromium', function () {
  this.timeout(180_000);
  let browser: Browser;
  let fx: RelayFixture;
  let served: ServedApp;
  let tracker: TestTracker;
  let admin: string;
  let voluumId: string;
  let failedId: string;
  let deliveredId: string;
  let pendingId: string;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
    tracker = await startTestTracker();
    tracker.answerWith((request) => (request.path.startsWith('/refuses') ? 500 : 200));
    fx = await startRelay(sqliteTarget, { relay: { dispatch: { idlePollMs: 20, retrySchedule: [] } } });
    const app = express();
    app.use('/postbacks/admin', fx.relay.dashboard);
    served = await serveOnLoopback(app);
    admin = `${served.origin}/postbacks/admin`;
    // Long names and values, as real ones can be, where they make a page widest.
    voluumId = (await fx.relay.endpoints.create({ affiliateId: LONG_AFFILIATE, name: 'Main Voluum account of the affiliate', plugin: 'voluum', settings: { baseUrl: tracker.origin } })).id;
    await fx.relay.endpoints.create({
      affiliateId: LONG_AFFILIATE, plugin: 'generic',
      settings: { url: `${tracker.origin}/refuses/postbacks/with/a/long/path/segment?cid={click_id}&payout={payout}&txid={transaction_id}&token=s3cr3t`, secretParams: ['token'] },
    });
    await fx.relay.endpoints.create({ affiliateId: 'aff-off', plugin: 'binom', settings: { baseUrl: tracker.origin }, enabled: false });
    await fx.relay.recordLead({ id: 'lead-with-a-long-identifier-0001', clickId: LONG_CLICK, affiliateId: LONG_AFFILIATE });
    await fx.relay.recordCommission({ id: 'C-1', leadId: 'lead-with-a-long-identifier-0001', amount: '12.50' });
    await fx.relay.adjustCommission({ id: 'A-1', commissionId: 'C-1', amount: '10.00' });
    // The generic endpoint's first postback fails, and holds back the two after it (pending).
    const settled = await waitForDeliveries(fx, 'lead-with-a-long-identifier-0001', (list) => list.length === 6 && list.some((d) => d.status === 'failed') && list.every((d) => d.endpointId !== voluumId || d.status !== 'pending'));
    failedId = settled.find((d) => d.status === 'failed')!.id;
    deliveredId = settled.find((d) => d.status === 'delivered')!.id;
    pendingId = settled.find((d) => d.status === 'pending')!.id;
  });
  after(async () => {
    await browser.close();
    await served.close();
    await fx.close();
    await tracker.close();
  });

  /** Every page, in each state that changes its layout. Each opens the page and resolves once it has loaded. */
  const pages: ReadonlyArray<readonly [string, (page: Page) => Promise<unknown>]> = [
    ['overview', (page) => page.goto(`${admin}/`)],
    ['endpoints', (page) => page.goto(`${admin}/endpoints`)],
    ['endpoint-new-voluum', (page) => page.goto(`${admin}/endpoints/new?plugin=voluum`)],
    ['endpoint-new-generic', (page) => page.goto(`${admin}/endpoints/new?plugin=generic`)],
    ['endpoint-refused', async (page) => {
      await page.goto(`${admin}/endpoints/new?plugin=voluum`);
      await Promise.all([page.waitForURL(`${admin}/endpoints`), page.click('button:has-text("Create endpoint")')]);
    }],
    ['endpoint-saved', (page) => page.goto(`${admin}/endpoints/${voluumId}`)],
    ['endpoint-test-sent', async (page) => {
      await page.goto(`${admin}/endpoints/${voluumId}`);
      await Promise.all([page.waitForURL(/\/test$/), page.click('button:has-text("Send test")')]);
    }],
    ['delivery-log', (page) => page.goto(`${admin}/deliveries`)],
    ['delivery-log-refused', (page) => page.goto(`${admin}/deliveries?since=yesterday`)],
    ['delivery-failed', (page) => page.goto(`${admin}/deliveries/${failedId}`)],
    ['delivery-delivered', (page) => page.goto(`${admin}/deliveries/${deliveredId}`)],
    ['delivery-pending', (page) => page.goto(`${admin}/deliveries/${pendingId}`)],
    ['not-found', (page) => page.goto(`${admin}/nowhere`)],
  ];

  async function withPage(viewport: (typeof VIEWPORTS)[number], use: (page: Page, context: BrowserContext) => Promise<void>): Promise<void> {
    const context = await browser.newContext({ viewport: { width: viewport.width, height: viewport.height }, isMobile: viewport.isMobile });
    context.setDefaultTimeout(15_000);
    try {
      await use(await context.newPage(), context);
    } finally {
      await context.close();
    }
  }

  for (const viewport of VIEWPORTS) {
    it(`fits every page in ${viewport.width} px with nothing past the right edge, and axe-core finds no serious violation`, async () => {
      await withPage(viewport, async (page) => {
        const failedAssets: string[] = [];
        page.on('response', (response) => {
          if (response.request().resourceType() !== 'document' && response.status() >= 400) failedAssets.push(`${response.status()} ${response.url()}`);
        });
        for (const [name, open] of pages) {
          await open(page);
          const overflow = await page.evaluate<Overflow>(OVERFLOW);
          expect(overflow.scrollWidth, `${name}: the page scrolls sideways`).to.be.at.most(overflow.innerWidth);
          expect(overflow.wide, `${name}: elements past the right edge`).to.deep.equal([]);
          await page.screenshot({ path: new URL(`${viewport.name}-${name}.png`, ARTIFACTS).pathname, fullPage: true });
          await page.evaluate(AXE_SOURCE);
          const { passed, violations } = await page.evaluate<{ passed: number; violations: Array<{ id: string; impact: string | null; nodes: string[] }> }>(AXE_RUN);
          expect(passed, `${name}: axe-core rules passed`).to.be.greaterThan(10);
          expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'), `${name}: axe-core`).to.deep.equal([]);
          const icon = await page.evaluate<string>(`document.querySelector('link[rel=icon]').href`);
          expect((await page.request.get(icon)).status(), `${name}: favicon`).to.equal(200);
        }
        expect(failedAssets).to.deep.equal([]);
      });
    });
  }

  it('draws every focus outline at 3:1 or more against what is behind it, keyboard-only, on every page', async () => {
    await withPage(VIEWPORTS[0], async (page) => {
      let checked = 0;
      let summaries = 0;
      for (const [name, open] of pages) {
        await open(page);
        const seen = new Set<string>();
        // The first check is of what has the focus as the page loads (a refused submit's summary), before any Tab.
        for (let presses = 0; presses < 120; presses += 1) {
          if (presses > 0) await page.keyboard.press('Tab');
          const ring = await page.evaluate<{ what: string; style: string; width: number; color: string; behind: string } | null>(FOCUS_RING);
          if (ring === null) continue;
          if (presses === 0 && ring.what.startsWith('div#error-summary')) summaries += 1;
          // Back at the start: the whole page has been walked through.
          if (seen.has(ring.what)) break;
          seen.add(ring.what);
          expect(ring.style, `${name}: ${ring.what}`).to.not.equal('none');
          expect(ring.width, `${name}: ${ring.what}`).to.be.at.least(2);
          expect(contrast(ring.color, ring.behind), `${name}: ${ring.what} outline ${ring.color} on ${ring.behind}`).to.be.at.least(3);
          checked += 1;
        }
      }
      expect(checked).to.be.greaterThan(pages.length * 3);
      expect(summaries, 'the refused pages load with the focus on their summary').to.equal(2);
    });
  });

  it('sizes the chart labels to be read on a phone', async () => {
    await withPage(VIEWPORTS[1], async (page) => {
      await page.goto(`${admin}/`);
      // The rendered height of each piece of text the chart shows (a <title> or <desc> is never drawn: its box is empty).
      const heights = await page.evaluate<Array<{ text: string; height: number }>>(`(() => {
        const walker = document.createTreeWalker(document.querySelector('figure'), NodeFilter.SHOW_TEXT);
        const out = [];
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          if (node.textContent.trim() === '') continue;
          const range = document.createRange();
          range.selectNodeContents(node);
          const box = range.getBoundingClientRect();
          if (box.width > 0) out.push({ text: node.textContent.trim(), height: box.height });
        }
        return out;
      })()`);
      expect(heights.map((entry) => entry.text)).to.include.members(['−60 min', 'now']);
      for (const entry of heights) expect(entry.height, entry.text).to.be.at.least(12);
    });
  });
});
