// A landing site on its own 127.0.0.1 port (so the relay is another origin): landing, form and thank-you pages with the pixel script.

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';

export interface LandingSite {
  origin: string;
  close(): Promise<void>;
}

/**
 * Serves the funnel; every page includes the one-line snippet pointing at `pixelBase` (where the pixel
 * router is mounted). `extraPages` maps more paths to page bodies, served the same way.
 */
export async function startLandingSite(pixelBase: string, extraPages: Record<string, string> = {}): Promise<LandingSite> {
  const snippet = `<script async src="${pixelBase}/pixel.js"></script>`;
  const page = (title: string, body: string) => `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>${snippet}</head><body>${body}</body></html>`;
  const form = (button: string) =>
    `<form id="signup" method="get" action="/thanks"><label>Email <input id="email" name="email" required></label>${button}</form>`;
  const pages: Record<string, string> = {
    '/landing': page('Offer', '<h1>The offer</h1><a id="next" href="/form">Sign up</a>'),
    '/form': page('Sign up', form('<button id="send" type="submit">Send</button>')),
    '/form-by-script': page(
      'Sign up',
      form('<button id="send" type="button" onclick="document.getElementById(\'signup\').submit()">Send</button>'),
    ),
    '/thanks': page('Thanks', '<h1 id="thanks">Thank you!</h1>'),
    ...Object.fromEntries(Object.entries(extraPages).map(([path, body]) => [path, page(path, body)])),
  };
  const app = express();
  for (const [path, html] of Object.entries(pages)) {
    app.get(path, function landingPage(_req, res) {
      res.type('html').set('cache-control', 'no-store').send(html);
    });
  }
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => {
      resolve(listening);
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
