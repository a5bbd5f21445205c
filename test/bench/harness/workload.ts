// The work every system is given: realistic lead bodies, the affiliates' endpoints, and the postback URLs they mean.

import { postbackKey } from './ledger.js';

/** A lead as the API takes it. */
export interface LeadBody {
  id: string;
  clickId: string;
  affiliateId: string;
  offerId: string;
  sub1: string;
  sub2: string;
  sub3: string;
}

/** Affiliates a workload's leads are spread over. */
export const AFFILIATES = 10;

/** Lead number `index` of a run: a unique id, a tracker-like click ID, the affiliate and offer it came through. */
export function leadBody(tag: string, index: number): LeadBody {
  return {
    id: `${tag}-${index}`,
    // Shaped like a tracker's click ID (24 hex digits), unique per lead.
    clickId: `${tag.slice(-8).padStart(8, '0')}${index.toString(16).padStart(16, '0')}`.replace(/[^0-9a-z]/g, '0'),
    affiliateId: `aff-${index % AFFILIATES}`,
    offerId: `offer-${index % 7}`,
    sub1: 'banner-728x90',
    sub2: 'spring-campaign',
    sub3: `site-${index % 50}`,
  };
}

/** An affiliate's endpoint: the marker its postbacks carry (`ep=`) and whose it is. */
export interface EndpointSpec {
  marker: string;
  affiliateId: string;
}

/** `fanout` endpoints for each affiliate: every lead of an affiliate fires all of its endpoints. */
export function endpointSpecs(fanout: number): EndpointSpec[] {
  const specs: EndpointSpec[] = [];
  for (let a = 0; a < AFFILIATES; a++) for (let f = 0; f < fanout; f++) specs.push({ marker: `a${a}e${f}`, affiliateId: `aff-${a}` });
  return specs;
}

/** The generic plugin's URL template of an endpoint on the sink: the literal scenario and marker, the macros the key needs. */
export function sinkTemplate(origin: string, scenario: string, marker: string): string {
  return `${origin}/pb?s=${scenario}&ep=${marker}&txid={transaction_id}&cid={click_id}&et={event}&payout={payout}&aff={affiliate_id}`;
}

/** The URL that template gives for a lead's `lead_created` postback: what the comparison systems request. */
export function sinkUrl(origin: string, scenario: string, marker: string, lead: LeadBody): string {
  const query = new URLSearchParams({ s: scenario, ep: marker, txid: `lead-${lead.id}`, cid: lead.clickId, et: 'lead_created', payout: '0', aff: lead.affiliateId });
  return `${origin}/pb?${query.toString()}`;
}

/** A backlog of pending `lead_created` postbacks: `leads` leads, each fanning out to its affiliate's endpoints. */
export interface BacklogPlan {
  scenario: string;
  tag: string;
  leads: number;
  fanout: number;
}

/** The smallest plan holding at least `deliveries` postbacks. */
export function planBacklog(scenario: string, tag: string, deliveries: number, fanout: number): BacklogPlan {
  return { scenario, tag, leads: Math.ceil(deliveries / fanout), fanout };
}

export function deliveriesOf(plan: BacklogPlan): number {
  return plan.leads * plan.fanout;
}

/** The deliveries a plan queues when only the endpoints in `origins` (by marker) exist; all of them without it. */
export function planEndpoints(plan: BacklogPlan, origins?: Readonly<Record<string, string>>): number {
  if (!origins) return deliveriesOf(plan);
  let count = 0;
  for (const { endpoint } of planPostbacks(plan)) if (endpoint.marker in origins) count += 1;
  return count;
}

/** The postbacks of the given leads of a run, in lead order: each lead to every endpoint of its affiliate. */
export function* leadPostbacks(tag: string, indices: Iterable<number>, fanout: number): Generator<{ endpoint: EndpointSpec; lead: LeadBody }> {
  const byAffiliate = new Map<string, EndpointSpec[]>();
  for (const spec of endpointSpecs(fanout)) byAffiliate.set(spec.affiliateId, [...(byAffiliate.get(spec.affiliateId) ?? []), spec]);
  for (const index of indices) {
    const lead = leadBody(tag, index);
    for (const endpoint of byAffiliate.get(lead.affiliateId) ?? []) yield { endpoint, lead };
  }
}

/** Every postback of a plan. */
export function planPostbacks(plan: BacklogPlan): Generator<{ endpoint: EndpointSpec; lead: LeadBody }> {
  return leadPostbacks(plan.tag, indexRange(plan.leads), plan.fanout);
}

/** The sink keys of the given leads' postbacks. */
export function leadKeys(scenario: string, tag: string, indices: Iterable<number>, fanout: number): string[] {
  return Array.from(leadPostbacks(tag, indices, fanout), ({ endpoint, lead }) => postbackKey(scenario, endpoint.marker, `lead-${lead.id}`));
}

export function* indexRange(count: number): Generator<number> {
  for (let i = 0; i < count; i++) yield i;
}

/** The sink keys of every postback of a plan. */
export function planKeys(plan: BacklogPlan): string[] {
  return leadKeys(plan.scenario, plan.tag, indexRange(plan.leads), plan.fanout);
}
