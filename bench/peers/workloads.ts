// The workloads compared with peers, by a key shared with torch_peer.py. Our side reuses bench/workloads.ts
// as it is, so these are exactly the shapes `npm run bench` measures. Browser-safe.
import type * as tfjs from '@tensorflow/tfjs';
import * as E from '../../engine/index.js';
import { stepOnce, type Workload } from '../workload.js';
import { CONVNET3_LAYERS, convForwardWorkload, convTrainWorkload, matchStepWorkload, matmulWorkload, trainStepWorkload } from '../workloads.js';
import type { Runner } from './interleave.js';
import * as peer from './tfjs.js';

type TF = typeof tfjs;

export interface PeerWorkload {
  key: string;
  name: string;
  /** Steps per timed sample (from bench/workloads.ts), the same on every side. */
  steps: number;
  ours: () => Promise<Runner>;
  tfjs: (tf: TF) => Promise<Runner>;
}

function ours(w: Workload<any>): () => Promise<Runner> {
  return async () => {
    const ctx = w.setup();
    const steps = w.stepsPerSample ?? 1;
    return {
      sample: async () => {
        for (let i = 0; i < steps; i++) await stepOnce(w, ctx);
        await E.sync();
      },
      dispose: () => {
        w.dispose(ctx);
        E.runtime().pool.trim();
      },
    };
  };
}

function peerWorkload(key: string, w: Workload<any>, tfjs: (tf: TF, steps: number) => Runner): PeerWorkload {
  const steps = w.stepsPerSample ?? 1;
  return { key, name: w.name, steps, ours: ours(w), tfjs: async (tf) => tfjs(tf, steps) };
}

export function peerWorkloads(): PeerWorkload[] {
  const conv = CONVNET3_LAYERS[1]; // 128 -> 128 channels, 16x16, batch 64
  return [
    peerWorkload('matmul', matmulWorkload(1024), (tf, s) => peer.matmul(tf, 1024, s)),
    peerWorkload('conv-fwd', convForwardWorkload(conv), (tf, s) => peer.convForward(tf, conv, s)),
    peerWorkload('conv-fwd-bwd', convTrainWorkload(conv), (tf, s) => peer.convTrain(tf, conv, s)),
    peerWorkload('train-step', trainStepWorkload(64), (tf) => peer.trainStep(tf, 64)),
    peerWorkload('match-step', matchStepWorkload(64), (tf) => peer.matchStep(tf, 64)),
  ];
}
