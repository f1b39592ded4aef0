// Submitting a spec: its grid as one BullMQ flow (see jobs.ts). The spec has been parsed and checked
// before this runs, so a malformed spec never reaches Redis.
import { FlowProducer, Queue, type FlowJob, type JobsOptions } from 'bullmq';
import { cells, type ExperimentSpec } from '../experiment/spec.js';
import { checkRedis, connectionOptions, QUEUE_NAME, type QueueUrl } from './connection.js';
import { condenseJobId, evaluateJobId, experimentKey, tableJobId, type CellJobData, type TableJobData } from './jobs.js';

type FlowChildJob = NonNullable<FlowJob['children']>[number];

export interface RetryPolicy {
  /** Tries per job before it stays failed (missing data, NaN loss, a lost GPU). */
  attempts: number;
  /** First back-off delay; it doubles with every retry. */
  backoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: 10_000 };

export interface SubmitSummary {
  key: string;
  jobs: number;
  /** Jobs that were not in the queue before (0 when the same spec was submitted already). */
  added: number;
}

/** The flow of a spec: table <- evaluate(cell) <- condense(cell). */
export function specFlow(spec: ExperimentSpec, retry: RetryPolicy = DEFAULT_RETRY): FlowJob {
  const key = experimentKey(spec);
  const base: JobsOptions = {
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.backoffMs },
    // A child that fails for good does not block its parent: the evaluation then fails with the
    // condensation's error, and the table is still written, marking that cell failed.
    ignoreDependencyOnFailure: true,
  };
  const children: FlowChildJob[] = cells(spec).map((cell) => ({
    name: 'evaluate',
    queueName: QUEUE_NAME,
    data: { kind: 'evaluate', key, spec, cell } satisfies CellJobData,
    opts: { ...base, jobId: evaluateJobId(key, cell) },
    children: [{
      name: 'condense',
      queueName: QUEUE_NAME,
      data: { kind: 'condense', key, spec, cell } satisfies CellJobData,
      opts: { ...base, jobId: condenseJobId(key, cell) },
    }],
  }));
  return {
    name: 'table',
    queueName: QUEUE_NAME,
    data: { kind: 'table', key, spec } satisfies TableJobData,
    opts: { attempts: retry.attempts, backoff: base.backoff, jobId: tableJobId(key) },
    children,
  };
}

function flowIds(node: FlowJob | FlowChildJob): string[] {
  return [node.opts!.jobId!, ...(node.children ?? []).flatMap(flowIds)];
}

/** Enqueues the spec's jobs that are not there yet; ids make this idempotent. */
export async function submitSpec(url: QueueUrl, spec: ExperimentSpec, retry: RetryPolicy = DEFAULT_RETRY): Promise<SubmitSummary> {
  await checkRedis(url);
  const flow = specFlow(spec, retry);
  const ids = flowIds(flow);
  const connection = connectionOptions(url);
  const queue = new Queue(QUEUE_NAME, { connection });
  const producer = new FlowProducer({ connection });
  try {
    const present = await Promise.all(ids.map(async (id) => (await queue.getJob(id)) !== undefined));
    const added = present.filter((p) => !p).length;
    // Jobs whose id exists are left as they are (BullMQ dedupes by id), finished or not.
    if (added > 0) await producer.add(flow);
    return { key: experimentKey(spec), jobs: ids.length, added };
  } finally {
    await producer.close();
    await queue.close();
  }
}
