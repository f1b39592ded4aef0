// Learning-rate schedules as pure functions of the step: assign the result to `optimizer.lr` before a step.
// Being stateless, they resume from a checkpoint's step count with nothing else to save.

/** Cosine annealing from `base` at step 0 to `min` at step `total` (PyTorch's CosineAnnealingLR closed form), then flat. */
export function cosineLR(base: number, step: number, total: number, min = 0): number {
  if (!(total > 0)) throw new Error(`cosineLR: total steps must be > 0, got ${total}`);
  const progress = Math.min(Math.max(step, 0), total) / total;
  return min + ((base - min) * (1 + Math.cos(Math.PI * progress))) / 2;
}

/** `base` times gamma for every `stepSize` completed steps (PyTorch's StepLR). */
export function stepLR(base: number, step: number, stepSize: number, gamma = 0.1): number {
  if (!(stepSize > 0)) throw new Error(`stepLR: step size must be > 0, got ${stepSize}`);
  return base * gamma ** Math.floor(Math.max(step, 0) / stepSize);
}
