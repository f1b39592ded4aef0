// Gradient-matching distances between the network's parameter gradients on real and on synthetic data.
// Like DC/IDC, only weight tensors (rank >= 2: conv and linear weights) are matched; biases and norm
// parameters are skipped.
import * as E from '../../engine/index.js';

export const DISTANCES = ['mse', 'l1', 'cosine'] as const;
export type Distance = (typeof DISTANCES)[number];

export function parseDistance(name: string): Distance {
  if (!(DISTANCES as readonly string[]).includes(name)) throw new Error(`unknown matching distance '${name}' (choose from ${DISTANCES.join(', ')})`);
  return name as Distance;
}

/** Distance between two gradients of one weight tensor. */
export function layerDistance(real: E.Tensor, syn: E.Tensor, kind: Distance): E.Tensor {
  if (kind === 'mse') return E.sum(E.square(E.sub(real, syn)));
  if (kind === 'l1') return E.sum(E.abs(E.sub(real, syn)));
  // Per output channel: reshape to [out, rest] so conv and linear weights are treated alike.
  const rows = real.shape[0];
  return E.cosineDistancePerChannel(E.reshape(real, [rows, -1]), E.reshape(syn, [rows, -1]));
}

/** Sum of layer distances over the matched (weight) parameters. */
export function matchingDistance(real: E.Tensor[], syn: E.Tensor[], params: E.Tensor[], kind: Distance): E.Tensor {
  let total: E.Tensor | null = null;
  params.forEach((p, i) => {
    if (p.rank < 2) return;
    const d = layerDistance(real[i], syn[i], kind);
    total = total ? E.add(total, d) : d;
  });
  if (!total) throw new Error('matchingDistance: the network has no weight tensors to match');
  return total;
}
