import { snapshotStoreFor } from '../../server/cache/snapshots';
import { refreshSnapshots } from '../../server/jobs/snapshotRefresh';
import { createLogger } from '../../server/logger';
import type { TestApi } from './services';

/**
 * Runs the snapshot refresh job's function once, as the scheduler would, for the questions whose arguments
 * name this test's prefix (a campaign or a customer of its own): the defaults cover the whole shared dev
 * graph and are left to the job. Returns how many snapshots it refreshed.
 */
export function refreshSnapshotsOf(api: TestApi, prefix: string): Promise<number> {
  return refreshSnapshots(api.graph, snapshotStoreFor(api.store), createLogger('silent'), {
    include: (request) => JSON.stringify(request.args).includes(prefix),
  });
}
