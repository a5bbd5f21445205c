// The dashboard's form tokens: signed by the process's secret, refused when forged, from another secret, or older than 12 hours.

import { expect } from 'chai';
import type { Request, Response } from 'express';
import { createCsrfGuard } from '../../lib/dashboard/csrf.js';

function verdict(check: ReturnType<typeof createCsrfGuard>['check'], token: unknown, headers: Record<string, string> = {}): unknown {
  let result: unknown = 'not called';
  const req = { body: { _csrf: token }, get: (name: string) => headers[name.toLowerCase()] } as unknown as Request;
  void check(req, undefined as unknown as Response, (error?: unknown) => {
    result = error ?? 'ok';
  });
  return result;
}

describe('dashboard CSRF guard', () => {
  const secret = Buffer.alloc(32, 7);
  let clock = Date.UTC(2026, 0, 1);
  const guard = createCsrfGuard(secret, () => clock);

  it('accepts its own token for 12 hours, then refuses it', () => {
    const token = guard.token();
    expect(verdict(guard.check, token)).to.equal('ok');
    clock += 11 * 3_600_000;
    expect(verdict(guard.check, token)).to.equal('ok');
    clock += 2 * 3_600_000;
    expect(verdict(guard.check, token)).to.have.property('code', 'ERR_PB_CSRF');
  });

  it('refuses a token of another process, a tampered one and none', () => {
    const other = createCsrfGuard(Buffer.alloc(32, 8), () => clock).token();
    expect(verdict(guard.check, other)).to.have.property('code', 'ERR_PB_CSRF');
    const [issued, mac] = guard.token().split('.') as [string, string];
    expect(verdict(guard.check, `${(parseInt(issued, 36) + 1).toString(36)}.${mac}`)).to.have.property('code', 'ERR_PB_CSRF');
    expect(verdict(guard.check, undefined)).to.have.property('code', 'ERR_PB_CSRF');
    expect(verdict(guard.check, ['a', 'b'])).to.have.property('code', 'ERR_PB_CSRF');
  });

  it('refuses a valid token on a request the browser marks cross-site', () => {
    const token = guard.token();
    expect(verdict(guard.check, token, { 'sec-fetch-site': 'same-origin' })).to.equal('ok');
    expect(verdict(guard.check, token, { 'sec-fetch-site': 'same-site' })).to.have.property('code', 'ERR_PB_CSRF');
  });
});
