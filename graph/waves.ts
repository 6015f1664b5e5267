import type { AdmitWaveInput } from '../schema/generated/types';
import { badInput, withinField } from './errors';
import { IdempotencyLedger } from './idempotency';
import { lockCampaign } from './membership';
import { cypher, Graph } from './neo4j';
import { checkId, checkIdempotencyKey, checkIntRange } from './validate';

// Admission in waves: the best-placed `size` of a waitlist (graph/waitlist.ts order) become MEMBERs, holding
// the campaign's inviteQuota from then on (graph/quotas.ts), and the wave is recorded as
// (:Wave {campaignId, number, at, size})-[:OF]->(:Campaign).
//
// Nobody is admitted twice: admissions take the campaign's write lock first, so concurrent waves queue and
// each reads the waitlist as the one before left it (only WAITING places are admitted); a replay with the
// same idempotency key returns the first wave and writes nothing (graph/idempotency.ts).

export const MAX_WAVE_SIZE = 10_000;

export interface WaveRecord {
  campaignId: string;
  number: number;
  at: number;
  size: number;
}

export interface AdmitWaveRecord {
  wave: WaveRecord;
  admittedCustomerIds: string[];
}

const ADMIT_TOP = cypher<{ id: string }>(
  'wave.admitTop',
  `MATCH (m:Membership {campaignId: $campaignId, status: 'WAITING'})
   WITH m ORDER BY m.score, m.credits DESC, m.seq LIMIT $size
   MATCH (c:Customer)-[:HOLDS]->(m)
   SET m.status = 'MEMBER', m.admittedAt = $at, m.origin = 'WAVE', m.wave = $number, m.generation = 0, m.rootWave = $number, m.spent = 0
   RETURN c.id AS id ORDER BY m.score, m.credits DESC, m.seq`,
);

const RECORD_WAVE = cypher(
  'wave.record',
  `MATCH (campaign:Campaign {id: $campaignId})
   SET campaign.waveCount = $number, campaign.lastWaveSize = $size
   CREATE (:Wave {campaignId: $campaignId, number: $number, at: $at, size: $size})-[:OF]->(campaign)`,
);

export async function admitWave(graph: Graph, input: AdmitWaveInput, now = Date.now()): Promise<AdmitWaveRecord> {
  return withinField('input', async () => {
    const campaignId = checkId('campaignId', input.campaignId);
    const size = checkIntRange('size', input.size, 1, MAX_WAVE_SIZE);
    const key = checkIdempotencyKey('idempotencyKey', input.idempotencyKey);
    const at = input.at ?? now;
    return graph.writeTransaction(async (tx) => {
      const ledger = await IdempotencyLedger.open(tx, [key], now);
      const { result } = await ledger.once('idempotencyKey', key, 'ADMIT_WAVE', input, async () => {
        const { campaign, waveCount } = await lockCampaign(tx, 'campaignId', campaignId);
        if (!campaign.waitlist) throw badInput('campaignId', `campaign "${campaignId}" has no waitlist.`);
        const number = waveCount + 1;
        const admitted = await tx.run(ADMIT_TOP, { campaignId, size, at, number });
        if (admitted.length === 0) throw badInput('campaignId', `nobody is waiting in campaign "${campaignId}".`);
        await tx.run(RECORD_WAVE, { campaignId, number, at, size: admitted.length });
        const ids = admitted.map((row) => row.id);
        return { result: { wave: { campaignId, number, at, size: ids.length }, admittedCustomerIds: ids }, subjects: ids };
      });
      await ledger.close();
      return result;
    });
  });
}

const WAVES = cypher<{ wave: WaveRecord }>(
  'wave.list',
  `MATCH (w:Wave {campaignId: $campaignId})
   RETURN {campaignId: w.campaignId, number: w.number, at: w.at, size: w.size} AS wave ORDER BY w.number`,
);

export async function wavesOf(graph: Graph, campaignId: string): Promise<WaveRecord[]> {
  return (await graph.read(WAVES, { campaignId })).map((row) => row.wave);
}
