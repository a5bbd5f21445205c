// The dashboard in headless Chromium: create a Voluum endpoint through the form, preview, test postback, the delivery log,
// a failure, replay; keyboard use. Screenshots of each page go to test-artifacts/dashboard/ (every page at phone and
// desktop width: dashboard-layout.test.ts).
// (Page code is passed as strings: the project's TypeScript has no DOM types.)

import { mkdirSync } from 'node:fs';
import { expect } from 'chai';
import express from 'express';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describeWithChromium, launchChromium } from '../helpers/browser.js';
import { sqliteTarget } from '../helpers/databases.js';
import { waitForDeliveries } from '../helpers/delivery.js';
import { auth, startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import { serveOnLoopback } from '../helpers/serve-app.js';
import type { ServedApp } from '../helpers/serve-app.js';
import { startTestTracker } from '../helpers/tracker.js';
import type { TestTracker } from '../helpers/tracker.js';

const ARTIFACTS = new URL('../../test-artifacts/dashboard/', import.meta.url);

describeWithChromium('dashboard in headless Chromium', function () {
  this.timeout(90_000);
  let browser: Browser;
  let fx: RelayFixture;
  let served: ServedApp;
  let tracker: TestTracker;
  let origin: string;
  let admin: string;
  let context: BrowserContext;
  let page: Page;
  let endpointId: string;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
    tracker = await startTestTracker();
    // No retries: a refused postback is a dead letter at once, for replay.
    fx = await startRelay(sqliteTarget, { relay: { dispatch: { idlePollMs: 20, retrySchedule: [] } } });
    // The host app: its own login would sit in front of the dashboard; the API beside it.
    const app = express();
    app.use('/postbacks/admin', fx.relay.dashboard);
    app.use('/postbacks', fx.relay.router);
    served = await serveOnLoopback(app);
    origin = served.origin;
    admin = `${origin}/postbacks/admin`;
    context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
  });
  after(async () => {
    await context.close();
    await browser.close();
    await served.close();
    await fx.close();
    await tracker.close();
  });

  const shot = (name: string, target: Page = page) => target.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname, fullPage: true });
  const api = (path: string, body: unknown) =>
    fetch(`${origin}/postbacks${path}`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then((response) => {
      expect(response.status, path).to.equal(201);
    });
  const text = (selector: string) => page.locator(selector).innerText();

  it('creates a Voluum endpoint through the form: a bad domain is a field error, then the preview and a test postback', async () => {
    await page.goto(`${admin}/endpoints/new`);
    await page.selectOption('#pick-plugin', 'voluum');
    await Promise.all([page.waitForURL(/plugin=voluum/), page.click('button:has-text("Use this tracker")')]);
    await page.fill('#f-affiliateId', 'aff-7');
    await page.fill('#f-name', 'aff-7 Voluum');
    await page.fill('#f-settings-baseUrl', 'not a domain');
    await page.click('button:has-text("Create endpoint")');
    const field = page.locator('#f-settings-baseUrl');
    expect(await field.getAttribute('aria-invalid')).to.equal('true');
    expect(await field.getAttribute('aria-describedby')).to.include('f-settings-baseUrl-error');
    expect(await text('#f-settings-baseUrl-error')).to.include('settings.baseUrl: is not a valid URL');
    expect(await text('[role=alert]')).to.include('Not saved');
    expect(await page.inputValue('#f-affiliateId')).to.equal('aff-7');
    await shot('endpoint-form-error');

    await page.fill('#f-settings-baseUrl', tracker.origin);
    await Promise.all([page.waitForURL(/\/endpoints\/\d+\?notice=created$/), page.click('button:has-text("Create endpoint")')]);
    endpointId = /\/endpoints\/(\d+)/.exec(page.url())![1]!;
    expect(await text('.notice')).to.equal('Endpoint created.');
    expect(await text('[data-preview-event=lead_created]')).to.match(new RegExp(`^GET ${tracker.origin}/postback\\?cid=test-click-id&payout=0&txid=lead-test-\\d+&et=lead$`));
    expect(await text('[data-preview-event=commission_earned]')).to.include('payout=12.5&').and.include('txid=com-test-commission');
    expect(await text('[data-preview-event=commission_adjusted]')).to.include('not sent: the endpoint\'s adjustment mode is skip (plugin "voluum" also supports correction)');
    // The live preview follows the form as it is typed, before saving.
    await page.fill('#f-settings-leadEvent', 'signup');
    // Locators, not waitForFunction: the page's CSP (rightly) refuses the eval that would need.
    await page.locator('[data-preview-event=lead_created]', { hasText: /&et=signup$/ }).waitFor();
    expect(await text('#preview-status')).to.equal('Preview updated.');
    await page.fill('#f-settings-baseUrl', 'ftp://nope');
    await page.locator('#preview-status', { hasText: 'must use http or https' }).waitFor();
    await shot('endpoint-preview');

    await page.goto(`${admin}/endpoints/${endpointId}`);
    await page.selectOption('#test-event', 'commission_earned');
    await page.click('button:has-text("Send test")');
    expect(await text('#test-result')).to.include('delivered').and.include('200');
    const [received] = await tracker.waitFor(1);
    expect(received!.query).to.include({ cid: 'test-click-id', payout: '12.5', txid: 'com-test-commission' });
    await shot('endpoint-test-postback');
  });

  it('finds API events in the log by click ID, shows a failed attempt, and delivers it on replay', async () => {
    await api('/events/leads', { id: 'L-1', clickId: 'click-abc', affiliateId: 'aff-7' });
    await api('/events/commissions', { id: 'C-1', leadId: 'L-1', amount: '12.50' });
    await waitForDeliveries(fx, 'L-1', (list) => list.length === 2 && list.every((d) => d.status === 'delivered'));

    await page.goto(`${admin}/deliveries`);
    await page.fill('#q-clickId', 'click-abc');
    await Promise.all([page.waitForURL(/clickId=click-abc/), page.click('button:has-text("Search")')]);
    expect(await page.locator('tbody tr').count()).to.equal(2);
    expect(await text('tbody')).to.include('commission_earned').and.include('lead_created').and.include('delivered');
    await shot('delivery-log');

    tracker.respondWith(500);
    await api('/events/commissions', { id: 'C-2', leadId: 'L-1', amount: '3' });
    const failed = (await waitForDeliveries(fx, 'L-1', (list) => list.some((d) => d.status === 'failed'))).find((d) => d.status === 'failed')!;
    await page.reload();
    expect(await page.locator('tbody tr').count()).to.equal(3);
    await page.click(`a[href$="/deliveries/${failed.id}"]`);
    await page.waitForURL(new RegExp(`/deliveries/${failed.id}$`));
    expect(await text('h2#facts-h')).to.include('failed');
    const attempts = page.locator('section[aria-labelledby=attempts-h] tbody tr');
    expect(await attempts.count()).to.equal(1);
    expect(await attempts.first().innerText()).to.include('500').and.include('tracker error').and.include('tracker answered HTTP 500');
    await shot('delivery-detail-failed');

    tracker.respondWith(200);
    await Promise.all([page.waitForURL(/notice=replayed/), page.click('button:has-text("Replay this delivery")')]);
    await waitForDeliveries(fx, 'L-1', (list) => list.every((d) => d.status === 'delivered'));
    await page.reload();
    expect(await text('.notice')).to.include('Replay queued');
    expect(await text('h2#facts-h')).to.include('delivered');
    expect(await attempts.count()).to.equal(2);
    expect(await attempts.nth(1).innerText()).to.match(/\t200\t/);
    await shot('delivery-detail-after-replay');
  });

  it('replays every failed delivery of an endpoint from its page', async () => {
    tracker.respondWith(503);
    await api('/events/commissions', { id: 'C-3', leadId: 'L-1', amount: '4' });
    await waitForDeliveries(fx, 'L-1', (list) => list.some((d) => d.status === 'failed'));
    tracker.respondWith(200);
    await page.goto(`${admin}/endpoints/${endpointId}`);
    await Promise.all([page.waitForURL(/replayed=1$/), page.click('button:has-text("Replay all failed deliveries")')]);
    expect(await text('.notice')).to.equal('1 failed delivery queued again.');
    await waitForDeliveries(fx, 'L-1', (list) => list.every((d) => d.status === 'delivered'));
  });

  it('shows the overview with the per-minute chart and the endpoints list', async () => {
    await page.goto(`${admin}/`);
    expect(await page.locator('svg.chart rect.delivered').count()).to.be.greaterThan(0);
    expect(await page.locator('svg.chart rect.failed').count()).to.be.greaterThan(0);
    expect(await page.locator('#chart-desc').textContent()).to.match(/\d+ delivered, \d+ failed, 0 skipped/);
    expect(await text('section[aria-labelledby=counts]')).to.include('commission_earned');
    await shot('overview');
    await page.goto(`${admin}/endpoints`);
    expect(await text('tbody')).to.include('aff-7 Voluum').and.include('voluum');
    await shot('endpoints');
  });

  it('works from the keyboard: every control labelled, Tab reaches submit, errors announced and linked', async () => {
    await page.goto(`${admin}/endpoints/new?plugin=voluum`);
    const unlabelled = await page.evaluate<string[]>(
      `[...document.querySelectorAll('input:not([type=hidden]), select, textarea')].filter((el) => el.labels.length === 0).map((el) => el.id || el.name)`,
    );
    expect(unlabelled).to.deep.equal([]);
    let reached = false;
    for (let presses = 0; presses < 40 && !reached; presses += 1) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate<boolean>(`document.activeElement.textContent === 'Create endpoint'`);
    }
    expect(reached, 'Tab reaches the submit button').to.equal(true);
    await Promise.all([page.waitForURL(`${admin}/endpoints`), page.keyboard.press('Enter')]);
    await page.waitForSelector('[role=alert]');
    // The refused page puts the focus on its summary, whose link leads to the field.
    expect(await page.evaluate<string>('document.activeElement.id')).to.equal('error-summary');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>(`document.activeElement.getAttribute('href')`)).to.equal('#f-affiliateId');
    await page.keyboard.press('Enter');
    await page.locator('#f-affiliateId:focus').waitFor();
    const described = await page.evaluate<string>(`document.getElementById(document.querySelector('[aria-invalid=true]').getAttribute('aria-describedby').split(' ')[0]).textContent`);
    expect(described).to.include('affiliateId');
    expect(await text('[role=alert]')).to.include('affiliateId');
  });

  it('changes the tracker only on an explicit action: arrowing through the picker stays on the page', async () => {
    await page.goto(`${admin}/endpoints/new?plugin=binom`);
    const documents: string[] = [];
    const record = (request: { resourceType(): string; url(): string }) => {
      if (request.resourceType() === 'document') documents.push(request.url());
    };
    page.on('request', record);
    try {
      await page.focus('#pick-plugin');
      const before = await page.inputValue('#pick-plugin');
      await page.keyboard.press('ArrowDown');
      // The positive signal: the choice moved, and a round trip to the server has since completed.
      const after = await page.inputValue('#pick-plugin');
      expect(after).to.not.equal(before);
      expect(await page.evaluate<number>(`fetch('${admin}/assets/dashboard.css').then((response) => response.status)`)).to.equal(200);
      expect(documents).to.deep.equal([]);
      expect(page.url()).to.equal(`${admin}/endpoints/new?plugin=binom`);
      await Promise.all([page.waitForURL(`${admin}/endpoints/new?plugin=${after}`), page.keyboard.press('Tab').then(() => page.keyboard.press('Enter'))]);
      expect(documents).to.deep.equal([`${admin}/endpoints/new?plugin=${after}`]);
    } finally {
      page.off('request', record);
    }
  });
});
