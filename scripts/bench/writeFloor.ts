import { LOAD_CUSTOMERS, LOAD_KNOWS, LOAD_PURCHASES, LOAD_REFERRALS, strangerRow } from '../../graph/bulkLoad';
import type { Graph } from '../../graph/neo4j';
import { DAY, Story } from './story';

// What one write transaction per event costs on this machine with no service in front: the floor under the
// single mutations. The same five writes per referral story as a single-mutation unit, each a bare one-row
// statement in its own transaction through the driver (no HTTP, no GraphQL, no rules, no idempotency, no
// outbox), from `clients` concurrent callers, each calling one after another.

/** The five one-row transactions of story `k`, in order. */
export function floorWrites(graph: Graph, { prefix, k, campaign, product, t0 }: Story): Array<() => Promise<unknown>> {
  const referrer = `${prefix}-r-${k}`;
  const friend = `${prefix}-i-${k}`;
  const customer = (id: string) => strangerRow(id, t0);
  return [
    () => graph.write(LOAD_CUSTOMERS, { rows: [customer(referrer)] }),
    () => graph.write(LOAD_CUSTOMERS, { rows: [customer(friend)] }),
    () =>
      graph.write(LOAD_REFERRALS, {
        rows: [{ referrerId: referrer, inviteeId: friend, campaign, channel: 'email', status: 'CONVERTED', invitedAt: t0, clickedAt: null, signedUpAt: t0 + DAY, firstPurchaseAt: t0 + 2 * DAY }],
      }),
    () => graph.write(LOAD_PURCHASES, { rows: [{ customerId: friend, productId: product, orderId: `${prefix}-o-${k}`, amount: 20, at: t0 + 2 * DAY }] }),
    () => graph.write(LOAD_KNOWS, { rows: [[referrer, friend, 0.5]], now: t0 }),
  ];
}
