// Float64 CPU optimizers written from the algorithms in PyTorch's documentation (torch.optim.SGD with
// dampening 0, torch.optim.Adam without amsgrad), for one parameter over a sequence of steps. A step with
// grad null is skipped, as PyTorch skips a parameter whose .grad is None (Adam's step count included).

export interface RefStep {
  grad: ArrayLike<number> | null;
  lr: number;
}

export interface SgdRefConfig { momentum: number; weightDecay: number; nesterov: boolean }

export function sgdRef(p0: ArrayLike<number>, steps: RefStep[], c: SgdRefConfig): Float64Array {
  const theta = Float64Array.from(p0);
  const buf = new Float64Array(theta.length);
  let hasBuf = false;
  for (const { grad, lr } of steps) {
    if (!grad) continue;
    for (let i = 0; i < theta.length; i++) {
      let d = grad[i] + c.weightDecay * theta[i];
      if (c.momentum !== 0) {
        buf[i] = hasBuf ? c.momentum * buf[i] + d : d;
        d = c.nesterov ? d + c.momentum * buf[i] : buf[i];
      }
      theta[i] -= lr * d;
    }
    hasBuf = true;
  }
  return theta;
}

export interface AdamRefConfig { betas: [number, number]; eps: number; weightDecay: number }

export function adamRef(p0: ArrayLike<number>, steps: RefStep[], c: AdamRefConfig): Float64Array {
  const [b1, b2] = c.betas;
  const theta = Float64Array.from(p0);
  const m = new Float64Array(theta.length);
  const v = new Float64Array(theta.length);
  let t = 0;
  for (const { grad, lr } of steps) {
    if (!grad) continue;
    t++;
    for (let i = 0; i < theta.length; i++) {
      const g = grad[i] + c.weightDecay * theta[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      const mHat = m[i] / (1 - b1 ** t);
      const vHat = v[i] / (1 - b2 ** t);
      theta[i] -= (lr * mHat) / (Math.sqrt(vHat) + c.eps);
    }
  }
  return theta;
}
