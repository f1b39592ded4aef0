// Area Under the Margin (AUM, Pleiss et al. 2020): how confidently, on average over training, a model
// separates an image's own class from the strongest other class. Images with a low AUM are hard (or
// mislabelled-looking); images with a high AUM are easy and add little.

/**
 * Per-image logit margins for logits [count x classes] (row-major): the true class's logit minus the
 * largest other logit. Positive when the image is classified correctly.
 */
export function logitMargins(logits: Float32Array, labels: Int32Array, classes: number): Float32Array {
  const count = labels.length;
  if (!(classes >= 2)) throw new Error(`logitMargins: need at least 2 classes, got ${classes}`);
  if (logits.length !== count * classes) throw new Error(`logitMargins: ${logits.length} logits for ${count} images of ${classes} classes`);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const y = labels[i];
    if (!(y >= 0 && y < classes)) throw new Error(`logitMargins: image ${i} has label ${y}, outside 0..${classes - 1}`);
    const row = logits.subarray(i * classes, (i + 1) * classes);
    let other = -Infinity;
    for (let k = 0; k < classes; k++) if (k !== y && row[k] > other) other = row[k];
    out[i] = row[y] - other;
  }
  return out;
}

/** Accumulates one margin vector per epoch; the AUM is their mean. */
export class AumRecorder {
  private sum: Float64Array;
  epochs = 0;

  constructor(readonly count: number) {
    this.sum = new Float64Array(count);
  }

  add(margins: Float32Array): void {
    if (margins.length !== this.count) throw new Error(`AumRecorder: ${margins.length} margins for ${this.count} images`);
    const bad = margins.findIndex((m) => !Number.isFinite(m));
    if (bad >= 0) throw new Error(`AumRecorder: image ${bad} has margin ${margins[bad]} in epoch ${this.epochs + 1} (the model diverged)`);
    for (let i = 0; i < this.count; i++) this.sum[i] += margins[i];
    this.epochs++;
  }

  aum(): Float64Array {
    if (this.epochs === 0) throw new Error('AumRecorder: no epoch recorded');
    return this.sum.map((s) => s / this.epochs);
  }
}
