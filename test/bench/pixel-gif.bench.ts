// Prints how fast the image pixel answers: recorded hits, repeats and rejected hits. Run: npx tsx test/bench/pixel-gif.bench.ts (DB=mysql for MariaDB)

import type { AddressInfo } from 'node:net';
import { mysqlTarget, sqliteTarget } from '../helpers/databases.js';
import { startRelay } from '../helpers/relay.js';

const HITS = Number(process.env.HITS ?? 1000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);

async function run(label: string, base: string, query: (i: number) => string): Promise<void> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < HITS) {
        const i = next++;
        const t0 = performance.now();
        const res = await fetch(`${base}/postbacks/pixel.gif?${query(i)}`);
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => (latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(2);
  console.log(`${label.padEnd(22)} ${HITS} hits, ${CONCURRENCY} at once: ${(HITS / seconds).toFixed(0)}/s, p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, p99 ${at(0.99)} ms`);
}

const fx = await startRelay(process.env.DB === 'mysql' ? mysqlTarget : sqliteTarget, { start: false });
console.log(`database: ${process.env.DB === 'mysql' ? 'MariaDB' : 'SQLite'}`);
const server = fx.app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
try {
  await run('new lead per hit', base, (i) => `click_id=c${i}&aff=7&fid=bench-fill-${String(i).padStart(8, '0')}`);
  await run('repeat of a fill', base, (i) => `click_id=c${i}&aff=7&fid=bench-fill-${String(i).padStart(8, '0')}`);
  await run('rejected (%00)', base, () => 'click_id=%00&aff=7');
  console.log('pixel stats', JSON.stringify(fx.relay.pixelStats()));
} finally {
  server.closeAllConnections();
  server.close();
  await fx.close();
}
