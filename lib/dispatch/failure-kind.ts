// Whether a failed attempt may have reached the tracker: what decides if sending it again is safe.

/**
 * - `unreached`: the request never left (connection refused, DNS, TLS before the request, SSRF refusal, a plugin
 *   that threw or could not format): sending it again cannot double-count.
 * - `ambiguous`: it may have been recorded (a timeout or reset after the request was written, a 5xx answer).
 * - `rejected`: the tracker answered and refused it (a 4xx, or a 2xx the plugin judged a refusal).
 */
export type FailureKind = 'unreached' | 'ambiguous' | 'rejected';

/** The failure kinds, for validation and listings. */
export const FAILURE_KINDS: readonly FailureKind[] = ['unreached', 'ambiguous', 'rejected'];
