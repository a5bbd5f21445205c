// The affiliate portal in headless Chromium: A opens its signed link, pastes its Voluum URL, subscribes to commissions only,
// sends a test, receives real postbacks, reads its log, breaks and fixes its URL, replays; then the same pages at 375 px,
// its drift report among them.
// Screenshots go to test-artifacts/portal/. (Page code is passed as strings: the project's TypeScript has no DOM types.)

import { mkdirSync } from 'node:fs';
import { expect } from 'chai';
import express from 'express';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describeWithChromium, launchChromium } from '../helpers/browser.js';
import { sqliteTarget } from '../helpers/databases.js';
import { waitForDeliveries } from '../helpers/delivery.js';
import { serveOnLoopback } from '../helpers/serve-app.js';
import type { ServedApp } from '../helpers/serve-app.js';
import { auth, startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import { startTestTracker } from '../helpers/tracker.js';
import type { TestTracker } from '../helpers/tracker.js';

const ARTIFACTS = new URL('../../test-artifacts/portal/', import.meta.url);
// Every element outside a box that scrolls on its own must end inside the viewport.
const OVERFLOWING = `[...document.querySelectorAll('body *')].filter((el) => !el.closest('.scroll') && el.getBoundingClientRect().right > window.innerWidth + 0.5).map((el) => el.tagName + (el.id ? '#' + el.id : '') + (el.className ? '.' + el.className : ''))`;

describeWithChromium('affiliate portal in headless Chromium', function () {
  this.timeout(90_000);
  let browser: Browser;
  let fx: RelayFixture;
  let server: ServedApp;
  let tracker: TestTracker;
  let origin: string;
  let context: BrowserContext;
  let page: Page;
  let endpointId: string;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
    tracker = await startTestTracker();
    // Anything under /broken is a tracker error; no retries, so a refused postback is a dead letter at once, for replay.
    tracker.answerWith((received) => (received.path.startsWith('/broken') ? 404 : 200));
    fx = await startRelay(sqliteTarget, { relay: { dispatch: { idlePollMs: 20, retrySchedule: [] }, portal: { linkSecrets: ['portal-link-secret-0123456789abcdef'] } } });
    const app = express();
    app.use('/partners/postbacks', fx.relay.portal());
    app.use('/postbacks', fx.relay.router);
    server = await serveOnLoopback(app);
    origin = server.origin;
    context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
  });
  after(async () => {
    await context.close();
    await browser.close();
    await server.close();
    await fx.close();
    await tracker.close();
  });

  const shot = (name: string, target: Page = page) => target.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname, fullPage: true });
  const text = (selector: string) => page.locator(selector).innerText();
  const api = (path: string, body: unknown) =>
    fetch(`${origin}/postbacks${path}`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then((response) => {
      expect(response.status, path).to.equal(201);
    });
  const portal = (path: string) => `${origin}/partners/postbacks${path}`;

  it('opens from its signed link, recognises a pasted Voluum URL, saves commissions only, and shows the test postback\'s 200', async () => {
    await page.goto(fx.relay.portal.link('aff-A', { baseUrl: portal('') }));
    // The token leaves the address bar at once.
    expect(page.url()).to.equal(portal('/endpoints'));
    expect(await text('main')).to.include('aff-A');
    await page.fill('#paste-url', `${tracker.origin}/postback?cid=REPLACE&payout=OPTIONAL&txid=OPTIONAL`);
    await page.click('button:has-text("Fill in the form")');
    expect(await text('.notice')).to.include('Recognised as Voluum').and.include('nothing is saved yet');
    expect(await page.inputValue('#pick-plugin')).to.equal('voluum');
    expect(await page.inputValue('#f-settings-baseUrl')).to.equal(tracker.origin);
    expect(await page.getAttribute('#f-affiliateId', 'readonly')).to.not.equal(null);
    expect(await text('#tracker-help')).to.include('Postback URL');
    expect(await fx.relay.endpoints.list()).to.have.length(0);
    await shot('recognised');

    await page.uncheck('input[name=events][value=lead_created]');
    await page.uncheck('input[name=events][value=commission_adjusted]');
    await page.fill('#f-name', 'My Voluum');
    await Promise.all([page.waitForURL(/\/endpoints\/\d+\?notice=created$/), page.click('button:has-text("Create endpoint")')]);
    endpointId = /\/endpoints\/(\d+)/.exec(page.url())![1]!;
    const saved = await fx.relay.endpoints.get(endpointId);
    expect(saved).to.deep.include({ affiliateId: 'aff-A', plugin: 'voluum', events: ['commission_earned'], settings: { baseUrl: tracker.origin } });
    expect(await text('[data-preview-event=commission_earned]')).to.include('payout=12.5');

    await page.selectOption('#test-event', 'commission_earned');
    await page.click('button:has-text("Send test")');
    expect(await text('#test-result')).to.include('delivered').and.include('200');
    const [test] = await tracker.waitFor(1);
    expect(test!.query).to.include({ cid: 'test-click-id', payout: '12.5', txid: 'com-test-commission' });
    await shot('test-postback');
  });

  it('delivers a commission recorded through the API to its tracker, never the lead, and finds it in its log by click ID', async () => {
    await api('/events/leads', { id: 'L-1', clickId: 'click-A1', affiliateId: 'aff-A' });
    await api('/events/commissions', { id: 'C-1', leadId: 'L-1', amount: '12.50' });
    const [commission] = await waitForDeliveries(fx, 'L-1', (list) => list.length === 1 && list[0]?.status === 'delivered');
    const received = await tracker.waitFor(2);
    expect(received).to.have.length(2);
    expect(received[1]!.query).to.include({ cid: 'click-A1', payout: '12.5', txid: 'com-C-1' });

    await page.goto(portal('/deliveries'));
    await page.fill('#q-clickId', 'click-A1');
    await page.click('button:has-text("Search")');
    expect(await text('main table')).to.include(`#${commission!.id}`).and.include('delivered').and.include('commission_earned');
    await page.click(`a:has-text("#${commission!.id}")`);
    expect(await text('main')).to.include('200');
    await shot('delivery-log');
  });

  it('sees a failure after breaking its URL, fixes it, and replays the failed delivery to its tracker', async () => {
    await page.goto(portal(`/endpoints/${endpointId}`));
    await page.fill('#f-settings-baseUrl', `${tracker.origin}/broken`);
    await Promise.all([page.waitForURL(/notice=saved$/), page.click('button:has-text("Save changes")')]);
    await api('/events/leads', { id: 'L-2', clickId: 'click-A2', affiliateId: 'aff-A' });
    await api('/events/commissions', { id: 'C-2', leadId: 'L-2', amount: '3.00' });
    const [failed] = await waitForDeliveries(fx, 'L-2', (list) => list[0]?.status === 'failed');

    await page.goto(portal('/deliveries?status=failed'));
    expect(await text('main table')).to.include(`#${failed!.id}`).and.include('404');
    await page.goto(portal(`/endpoints/${endpointId}`));
    await page.fill('#f-settings-baseUrl', tracker.origin);
    await Promise.all([page.waitForURL(/notice=saved$/), page.click('button:has-text("Save changes")')]);
    await page.goto(portal(`/deliveries/${failed!.id}`));
    await Promise.all([page.waitForURL(/notice=replayed$/), page.click('button:has-text("Replay this delivery")')]);
    await waitForDeliveries(fx, 'L-2', (list) => list[0]?.status === 'delivered');
    const last = tracker.received.at(-1)!;
    expect(last.path).to.equal('/postback');
    expect(last.query).to.include({ cid: 'click-A2', payout: '3', txid: 'com-C-2' });
    await page.reload();
    expect(await text('h2#facts-h')).to.include('delivered');
    await shot('replayed');
  });

  it('fits a 375 px phone screen: nothing is wider than the page', async () => {
    const phone = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true });
    const small = await phone.newPage();
    try {
      await small.goto(fx.relay.portal.link('aff-A', { baseUrl: portal('') }));
      const delivery = (await fx.relay.deliveries.listForLead('L-2'))[0]!;
      for (const [name, path] of [['endpoints', '/endpoints'], ['new', '/endpoints/new'], ['endpoint', `/endpoints/${endpointId}`], ['drift', `/endpoints/${endpointId}/drift`], ['log', '/deliveries?clickId=click-A2'], ['delivery', `/deliveries/${delivery.id}`]] as const) {
        await small.goto(portal(path));
        const overflow = await small.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
        expect(overflow, `${path} scrolls sideways by ${overflow}px`).to.be.at.most(0);
        expect(await small.evaluate<string[]>(OVERFLOWING), `${path}: elements wider than the page`).to.deep.equal([]);
        await shot(`phone-${name}`, small);
      }
      // The drift page's figures keep their column names when the rows stack: C-2's 3.00 failed once, then was replayed and delivered.
      await small.goto(portal(`/endpoints/${endpointId}/drift`));
      const totals = await small.evaluate<string[]>(`[...document.querySelectorAll('main table.data')[0].querySelectorAll('td')].map((cell) => getComputedStyle(cell, '::before').content + ' ' + cell.textContent)`);
      expect(totals).to.deep.equal(['"Clicks" 2', '"Differing" 0', '"Truth" 15.5', '"Tracker should show" 15.5', '"Difference" 0']);
      // A label that wraps makes its cell taller instead of running into the next one.
      const heights = await small.evaluate<number[]>(`[...document.querySelectorAll('main table.data')[0].querySelectorAll('td')].map((cell) => cell.getBoundingClientRect().height)`);
      expect(heights[3], 'the two-line label\'s cell').to.be.greaterThan(heights[0]! * 1.5);
    } finally {
      await phone.close();
    }
  });
});
