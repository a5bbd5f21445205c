// The image's HEALTHCHECK (slim images have no curl): exits 0 when the local server answers /readyz with 200.

const TIMEOUT_MS = 4_000;

const host = process.env.POSTBACK_RELAY_HOST;
// A wildcard listen address is reached on loopback; a specific one only on itself.
const target = host === undefined || host === '' || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
const url = `http://${target.includes(':') ? `[${target}]` : target}:${process.env.PORT ?? '3000'}/readyz`;

try {
  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  process.stdout.write(`${response.status} ${await response.text()}\n`);
  process.exitCode = response.ok ? 0 : 1;
} catch (error) {
  process.stdout.write(`${url}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
