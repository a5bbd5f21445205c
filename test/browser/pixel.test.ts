// The form-fill pixel end to end in headless Chromium: a landing page on one origin, the relay on another, a real tracker.
// (Page code is passed as strings: the project's TypeScript has no DOM types.)

import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describeWithChromium, launchChromium } from '../helpers/browser.js';
import { sqliteTarget } from '../helpers/databases.js';
import { startLandingSite } from '../helpers/landing-site.js';
import type { LandingSite } from '../helpers/landing-site.js';
import { startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import { startTestTracker } from '../helpers/tracker.js';
import type { TestTracker } from '../helpers/tracker.js';

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// Longer than the script's in-page confirmation delay (1.5 s), so a second lead or pixel would have shown up.
const QUIET_MS = 2_000;
// A form skipped by data-pb-skip, and one added after load whose handler sends it without leaving the page.
const STAYS = `<form id="skip" data-pb-skip onsubmit="event.preventDefault()"><button id="skip-send">Newsletter</button></form>
<button id="add" type="button">Show the form</button>
<script>
document.getElementById('add').onclick = () => {
  const form = document.createElement('form');
  form.innerHTML = '<input id="late-email" name="email"><button id="late-send">Send</button>';
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    form.insertAdjacentHTML('afterend', '<p id="sent">Sent</p>');
  });
  document.body.appendChild(form);
};
</script>`;

describeWithChromium('form-fill pixel in headless Chromium', function () {
  this.timeout(60_000);
  let browser: Browser;
  let fx: RelayFixture;
  let relayServer: Server;
  let tracker: TestTracker;
  let site: LandingSite;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    await browser.close();
  });

  beforeEach(async () => {
    tracker = await startTestTracker();
    fx = await startRelay(sqliteTarget);
    relayServer = await new Promise((resolve) => {
      const listening = fx.app.listen(0, '127.0.0.1', () => {
        resolve(listening);
      });
    });
    const relayOrigin = `http://127.0.0.1:${(relayServer.address() as AddressInfo).port}`;
    await fx.relay.endpoints.create({ affiliateId: '7', plugin: 'generic', settings: { url: `${tracker.origin}/pb?cid={click_id}&et={event}&txid={transaction_id}` } });
    await fx.relay.endpoints.create({ affiliateId: '7', plugin: 'browser', settings: { url: `${tracker.origin}/bp?cid={click_id}&txid={transaction_id}` } });
    site = await startLandingSite(`${relayOrigin}/postbacks`, {
      '/stays': STAYS,
      '/bad-images': `<img id="a" src="${relayOrigin}/postbacks/pixel.gif?aff=7"><img id="b" src="${relayOrigin}/postbacks/pixel.gif?click_id=${'x'.repeat(10 * 1024)}&aff=7"><img id="c" src="${relayOrigin}/postbacks/pixel.gif?click_id=%00&aff=7">`,
    });
    context = await browser.newContext();
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
  });
  afterEach(async () => {
    await context.close();
    await site.close();
    await new Promise<void>((resolve) => {
      relayServer.closeAllConnections();
      relayServer.close(() => {
        resolve();
      });
    });
    await fx.close();
    await tracker.close();
  });

  const byPath = (path: string) => tracker.received.filter((r) => r.path === path);
  const leads = async () => (await fx.relay.knex(`${fx.prefix}leads`).select()) as Array<Record<string, unknown>>;
  const pixelReady = () => page.waitForFunction("'PostbackRelayPixel' in window");
  // A double submit starts two navigations and the browser aborts the first: wait past that one to the page that loads.
  async function reachThanks(): Promise<void> {
    for (let tries = 0; tries < 3; tries += 1) {
      try {
        await page.waitForURL(/\/thanks\?/);
        return;
      } catch (error) {
        if (!/ERR_ABORTED|frame was detached/.test(String(error))) throw error;
      }
    }
    await page.waitForURL(/\/thanks\?/);
  }

  async function visitFunnel(formPath: string) {
    await page.goto(`${site.origin}/landing?click_id=abc123&aff=7`);
    await pixelReady();
    await page.click('#next');
    await page.waitForURL(`${site.origin}/form`);
    if (formPath !== '/form') await page.goto(`${site.origin}${formPath}`);
    await pixelReady();
    await page.fill('#email', 'visitor@example.test');
  }

  /** Waits for the S2S postback and the browser pixel, then a quiet period, and checks there is one of each and one lead. */
  async function expectOneLead() {
    await tracker.waitFor(2, 10_000);
    await sleep(QUIET_MS);
    expect(byPath('/pb').map((r) => r.query), 'S2S postbacks').to.have.length(1);
    expect(byPath('/pb')[0]?.query).to.include({ cid: 'abc123', et: 'lead_created' });
    expect(byPath('/bp').map((r) => r.query), 'browser pixels').to.have.length(1);
    expect(byPath('/bp')[0]?.query.cid).to.equal('abc123');
    const stored = await leads();
    expect(stored).to.have.length(1);
    expect(stored[0]).to.include({ click_id: 'abc123', affiliate_id: '7', source: 'pixel' });
    expect(byPath('/bp')[0]?.query.txid).to.equal(`lead-${String(stored[0]?.external_id)}`);
  }

  it('carries the click ID across pages and makes one lead, one S2S postback and one browser pixel', async () => {
    await visitFunnel('/form');
    await page.click('#send');
    await reachThanks();
    await expectOneLead();
    // The beacon recorded it; the thank-you page's confirmation found it recorded.
    expect(fx.relay.pixelStats()).to.deep.equal({ recorded: 1, replayed: 1, rejected: {} });
    await page.screenshot({ path: new URL('pixel-thanks.png', ARTIFACTS).pathname });
  });

  it('keeps the click in a first-party SameSite=Lax cookie, and in storage when the cookie is gone', async () => {
    await page.goto(`${site.origin}/landing?click_id=abc123&aff=7`);
    await pixelReady();
    const [cookie] = await context.cookies(site.origin);
    expect(cookie).to.include({ name: 'pb_click', sameSite: 'Lax', path: '/', domain: '127.0.0.1' });
    const days = ((cookie?.expires ?? 0) * 1000 - Date.now()) / 86_400_000;
    expect(days).to.be.within(29.9, 30.1);
    // The relay, having answered the script, set no cookie of its own.
    expect((await context.cookies()).map((c) => c.name)).to.deep.equal(['pb_click']);
    await context.clearCookies();
    await page.click('#next');
    await pixelReady();
    expect(await page.evaluate('PostbackRelayPixel.clickId()')).to.equal('abc123');
    await page.fill('#email', 'visitor@example.test');
    await page.click('#send');
    await reachThanks();
    await expectOneLead();
  });

  it('sees a form submitted by script (form.submit())', async () => {
    await visitFunnel('/form-by-script');
    await page.click('#send');
    await reachThanks();
    await expectOneLead();
  });

  it('makes one lead of a double submit', async () => {
    await visitFunnel('/form');
    await page.evaluate("const form = document.getElementById('signup'); form.requestSubmit(); form.requestSubmit();");
    await reachThanks();
    await expectOneLead();
    expect(fx.relay.pixelStats().recorded).to.equal(1);
  });

  it('makes no second lead or pixel when the thank-you page is reloaded', async () => {
    await visitFunnel('/form');
    await page.dblclick('#send');
    await reachThanks();
    await tracker.waitFor(2, 10_000);
    await page.reload();
    await pixelReady();
    await page.reload();
    await pixelReady();
    await expectOneLead();
  });

  it('sees a form added after load and sent by script on the same page, and loads an iframe pixel there', async () => {
    await fx.relay.endpoints.create({ affiliateId: '7', plugin: 'browser', settings: { url: `${tracker.origin}/bf?cid={click_id}`, type: 'iframe' } });
    await visitFunnel('/form');
    await page.goto(`${site.origin}/stays`);
    await pixelReady();
    await page.click('#add');
    await page.fill('#late-email', 'visitor@example.test');
    await page.click('#skip-send');
    await sleep(QUIET_MS);
    expect(await leads(), 'the data-pb-skip form').to.have.length(0);
    await page.click('#late-send');
    await page.waitForSelector('#sent');
    await tracker.waitFor(3, 10_000);
    await sleep(QUIET_MS);
    expect(page.url()).to.equal(`${site.origin}/stays`);
    expect(byPath('/bf').map((r) => r.query)).to.deep.equal([{ cid: 'abc123' }]);
    expect(byPath('/bp')).to.have.length(1);
    expect(byPath('/pb')).to.have.length(1);
    expect(await leads()).to.have.length(1);
  });

  it('falls back to an image request when sendBeacon refuses', async () => {
    await context.addInitScript('navigator.sendBeacon = () => false;');
    await visitFunnel('/form');
    await page.click('#send');
    await reachThanks();
    await expectOneLead();
    // The image recorded it (else the confirmation would have): one new lead, one replay.
    expect(fx.relay.pixelStats()).to.deep.equal({ recorded: 1, replayed: 1, rejected: {} });
  });

  it('shows the GIF for bad image hits and stores nothing', async () => {
    await page.goto(`${site.origin}/bad-images`);
    await page.waitForFunction('[...document.images].every((image) => image.complete)');
    const widths = await page.evaluate<number[]>('[...document.images].map((image) => image.naturalWidth)');
    expect(widths).to.deep.equal([1, 1, 1]);
    expect(await leads()).to.have.length(0);
    expect(fx.relay.pixelStats().rejected).to.deep.equal({ missing_click_id: 1, invalid: 2 });
  });
});
