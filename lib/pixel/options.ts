// The options of the form-fill pixel: documented, validated once, resolved into a frozen internal form.

import { InvalidOptionError } from '../errors.js';

/** Options of the browser pixel (`relay.pixel`, or {@link createPixelRouter}). Every list is tried in order. */
export interface PixelOptions {
  /**
   * Landing-URL parameters that carry the affiliate tracker's click ID, tried in order.
   * @default ['click_id', 'clickid', 'cid', 'subid', 'sub_id']
   */
  clickIdParams?: readonly string[];
  /** Landing-URL parameters that carry the affiliate's id. @default ['aff', 'affiliate_id', 'aff_id'] */
  affiliateParams?: readonly string[];
  /** Landing-URL parameters that carry the offer's id. @default ['offer', 'offer_id'] */
  offerParams?: readonly string[];
  /** Landing-URL parameters of sub IDs 1 to 5 (exactly five names). @default ['sub1', 'sub2', 'sub3', 'sub4', 'sub5'] */
  subParams?: readonly string[];
  /** Name of the first-party cookie (and storage key) the script keeps the click in, on the landing page's domain. @default 'pb_click' */
  cookieName?: string;
  /** How long the landing page's cookie keeps the click, in days. @default 30 */
  cookieDays?: number;
}

/** Pixel options with every default filled in. */
export interface ResolvedPixelOptions {
  clickIdParams: readonly string[];
  affiliateParams: readonly string[];
  offerParams: readonly string[];
  subParams: readonly [string, string, string, string, string];
  cookieName: string;
  cookieDays: number;
}

/** The default parameter names and cookie lifetime, shared with the server's configuration schema. */
export const PIXEL_DEFAULTS = Object.freeze({
  clickIdParams: Object.freeze(['click_id', 'clickid', 'cid', 'subid', 'sub_id']),
  affiliateParams: Object.freeze(['aff', 'affiliate_id', 'aff_id']),
  offerParams: Object.freeze(['offer', 'offer_id']),
  subParams: Object.freeze(['sub1', 'sub2', 'sub3', 'sub4', 'sub5']),
  cookieName: 'pb_click',
  cookieDays: 30,
});

const KNOWN = ['clickIdParams', 'affiliateParams', 'offerParams', 'subParams', 'cookieName', 'cookieDays'];
// Names a query string and a cookie can carry unencoded; `fid` is the script's own form-fill id.
export const PARAM_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const RESERVED = ['fid'];

/** Checks every pixel option, naming the first bad one, and fills in defaults. */
export function resolvePixelOptions(given: Readonly<PixelOptions> | undefined, prefix = 'pixel.'): ResolvedPixelOptions {
  const options: unknown = given ?? {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new InvalidOptionError(prefix.replace(/\.$/, ''), 'must be an object');
  return resolveChecked(options, prefix);
}

function resolveChecked(options: Partial<Record<keyof PixelOptions, unknown>>, prefix: string): ResolvedPixelOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key)) {
      const near = KNOWN.find((candidate) => candidate.toLowerCase() === key.toLowerCase());
      throw new InvalidOptionError(`${prefix}${key}`, `is not an option${near ? `; did you mean ${prefix}${near}?` : ` (options: ${KNOWN.join(', ')})`}`);
    }
  }
  const names = (key: keyof PixelOptions, fallback: readonly string[], count?: number): string[] => {
    const value = options[key] ?? fallback;
    const valid = Array.isArray(value) && value.length > 0 && value.every((name) => typeof name === 'string' && PARAM_NAME.test(name) && !RESERVED.includes(name));
    if (!valid || (count !== undefined && value.length !== count)) {
      throw new InvalidOptionError(`${prefix}${key}`, `must be ${count === undefined ? 'a non-empty array' : `an array of exactly ${count}`} of parameter names (letters, digits, "_", ".", "-"; not "fid"), got ${JSON.stringify(value)}`);
    }
    return [...(value as string[])];
  };
  const clickIdParams = names('clickIdParams', PIXEL_DEFAULTS.clickIdParams);
  const affiliateParams = names('affiliateParams', PIXEL_DEFAULTS.affiliateParams);
  const offerParams = names('offerParams', PIXEL_DEFAULTS.offerParams);
  const subParams = names('subParams', PIXEL_DEFAULTS.subParams, 5) as [string, string, string, string, string];
  const roles: Array<[string, readonly string[]]> = [['clickIdParams', clickIdParams], ['affiliateParams', affiliateParams], ['offerParams', offerParams], ['subParams', subParams]];
  const seen = new Set<string>();
  for (const [key, list] of roles) {
    const repeated = list.find((name) => seen.has(name) || list.indexOf(name) !== list.lastIndexOf(name));
    if (repeated !== undefined) throw new InvalidOptionError(`${prefix}${key}`, `names the parameter "${repeated}" twice or in two roles; each name carries one value`);
    for (const name of list) seen.add(name);
  }
  const cookieName = options.cookieName ?? PIXEL_DEFAULTS.cookieName;
  if (typeof cookieName !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(cookieName)) {
    throw new InvalidOptionError(`${prefix}cookieName`, `must be 1 to 64 letters, digits, "_" or "-", got ${JSON.stringify(cookieName)}`);
  }
  const cookieDays = options.cookieDays ?? PIXEL_DEFAULTS.cookieDays;
  if (typeof cookieDays !== 'number' || !Number.isInteger(cookieDays) || cookieDays < 1 || cookieDays > 400) {
    throw new InvalidOptionError(`${prefix}cookieDays`, `must be a whole number of days from 1 to 400 (browsers cap cookies at 400), got ${JSON.stringify(cookieDays)}`);
  }
  return Object.freeze({
    clickIdParams: Object.freeze(clickIdParams),
    affiliateParams: Object.freeze(affiliateParams),
    offerParams: Object.freeze(offerParams),
    subParams: Object.freeze(subParams),
    cookieName,
    cookieDays,
  });
}
