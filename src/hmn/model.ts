// The Hierarchical Memory Network: three tiers of memory and one decoder shared by all classes.
//   class features  = LeakyReLU(extractor_c(dataset memory))          (one small conv per class)
//   decoder input   = concat(class features, class memory, instance memory)   along channels
//   image           = sigmoid(decoder(input))  in [0, 1]
// Every decoder layer works on one image at a time (no batch statistics), so an image does not depend on
// which other images are decoded with it; pruning relies on that.
import * as E from '../../engine/index.js';
import { validateConfig, DECODER_KERNEL, type HmnConfig, type ImageShape } from './config.js';
import type { SyntheticSet } from '../condense/synthetic-set.js';

export interface ConvParams {
  weight: E.Tensor;
  bias: E.Tensor;
}

const LEAK = 0.2;

/** The stored tensors of an HMN. */
export interface HmnTensors {
  datasetMemory: E.Tensor;
  classMemory: E.Tensor;
  instanceMemory: E.Tensor;
  instanceClass: Int32Array;
  extractor: ConvParams;
  decoder: ConvParams[];
}

export class Hmn implements SyntheticSet {
  /** Its shapes; after pruning, imagesPerClass is the kept count (pruning keeps classes balanced). */
  config: HmnConfig;
  datasetMemory: E.Tensor; // [1, datasetChannels, m, m]
  classMemory: E.Tensor; // [classes, classChannels, m, m]
  instanceMemory: E.Tensor; // [rows, instanceChannels, m, m]
  /** Class of each instance-memory row. Rows of a class need not be contiguous after pruning. */
  instanceClass: Int32Array;
  extractor: ConvParams; // weight [classes * extractorChannels, datasetChannels, k, k]
  decoder: ConvParams[]; // one per upsampling stage, then the layer to pixels

  private constructor(config: HmnConfig, parts: HmnTensors) {
    this.config = config;
    this.datasetMemory = parts.datasetMemory;
    this.classMemory = parts.classMemory;
    this.instanceMemory = parts.instanceMemory;
    this.instanceClass = parts.instanceClass;
    this.extractor = parts.extractor;
    this.decoder = parts.decoder;
  }

  /** A freshly initialised HMN: memories ~ N(0, 1), convolutions as PyTorch initialises them. */
  static create(config: HmnConfig, seed: number): Hmn {
    validateConfig(config);
    const rng = new E.Random(seed);
    const m = config.memorySize;
    const leaf = (data: Float32Array, shape: number[]) => E.keep(E.requireGrad(E.tensor(data, shape)));
    const normal = (shape: number[]) => leaf(rng.normal(shape.reduce((a, b) => a * b, 1), 0, 1), shape);
    const conv = (cin: number, cout: number, k: number): ConvParams => {
      const bound = 1 / Math.sqrt(cin * k * k); // kaiming-uniform(a = sqrt(5)) and PyTorch's bias rule
      return {
        weight: leaf(rng.uniform(cout * cin * k * k, -bound, bound), [cout, cin, k, k]),
        bias: leaf(rng.uniform(cout, -bound, bound), [cout]),
      };
    };
    const rows = config.classes * config.imagesPerClass;
    const instanceClass = new Int32Array(rows);
    for (let r = 0; r < rows; r++) instanceClass[r] = Math.floor(r / config.imagesPerClass);
    const decoder: ConvParams[] = [];
    let cin = config.extractorChannels + config.classChannels + config.instanceChannels;
    for (const cout of [...config.decoderChannels, config.image.channels]) {
      decoder.push(conv(cin, cout, DECODER_KERNEL));
      cin = cout;
    }
    return new Hmn(config, {
      datasetMemory: normal([1, config.datasetChannels, m, m]),
      classMemory: normal([config.classes, config.classChannels, m, m]),
      instanceMemory: normal([rows, config.instanceChannels, m, m]),
      instanceClass,
      extractor: conv(config.datasetChannels, config.classes * config.extractorChannels, config.extractorKernel),
      decoder,
    });
  }

  get rows(): number {
    return this.instanceClass.length;
  }

  get classes(): number {
    return this.config.classes;
  }

  get image(): ImageShape {
    return this.config.image;
  }

  /** Instance-memory rows that belong to class c. */
  rowsOfClass(c: number): number[] {
    const out: number[] = [];
    this.instanceClass.forEach((k, r) => k === c && out.push(r));
    return out;
  }

  /** Every stored tensor with a stable name (the safetensors keys). */
  namedParameters(): [string, E.Tensor][] {
    return [
      ['memory.dataset', this.datasetMemory],
      ['memory.class', this.classMemory],
      ['memory.instance', this.instanceMemory],
      ['extractor.weight', this.extractor.weight],
      ['extractor.bias', this.extractor.bias],
      ...this.decoder.flatMap((p, i): [string, E.Tensor][] => [
        [`decoder.${i}.weight`, p.weight],
        [`decoder.${i}.bias`, p.bias],
      ]),
    ];
  }

  parameters(): E.Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** The extractor and decoder weights and biases, as opposed to the three memories. */
  networkParameters(): boolean[] {
    return this.namedParameters().map(([name]) => !name.startsWith('memory.'));
  }

  /** Stored floats (what the budget counts). */
  parameterCount(): number {
    return this.parameters().reduce((n, t) => n + t.size, 0);
  }

  /** Per-class features from the shared dataset memory: [classes, extractorChannels, m, m]. */
  classFeatures(): E.Tensor {
    const { classes, extractorChannels: ec, memorySize: m, extractorKernel: k } = this.config;
    const f = E.conv2d(this.datasetMemory, this.extractor.weight, this.extractor.bias, { padding: (k - 1) / 2 });
    return E.reshape(E.leakyRelu(f, LEAK), [classes, ec, m, m]);
  }

  /** Decode instance-memory rows into images [rows.length, C, H, W] in [0, 1]. Differentiable. */
  decode(rows: ArrayLike<number>): E.Tensor {
    if (rows.length === 0) throw new Error('decode: no rows given');
    for (const r of Array.from(rows)) {
      if (!Number.isInteger(r) || r < 0 || r >= this.rows) throw new Error(`decode: row ${r} is out of range (HMN has ${this.rows} instance memories)`);
    }
    const rowIds = E.tensor(Int32Array.from(rows), [rows.length], 'i32');
    const classIds = E.tensor(Int32Array.from(Array.from(rows), (r) => this.instanceClass[r]), [rows.length], 'i32');
    let z = E.concat(
      [E.gather(this.classFeatures(), classIds, 0), E.gather(this.classMemory, classIds, 0), E.gather(this.instanceMemory, rowIds, 0)],
      1,
    );
    const last = this.decoder.length - 1;
    this.decoder.forEach((layer, i) => {
      if (i < last) {
        const size = z.shape[2] * 2;
        z = E.upsampleBilinear(z, [size, size]);
        z = E.leakyRelu(E.conv2d(z, layer.weight, layer.bias, { padding: 1 }), LEAK);
      } else {
        z = E.sigmoid(E.conv2d(z, layer.weight, layer.bias, { padding: 1 }));
      }
    });
    return z;
  }

  /** Keep only the given instance rows (pruning); the dropped memories are freed. */
  keepRows(rows: number[]): void {
    const ids = E.tensor(Int32Array.from(rows), [rows.length], 'i32');
    const kept = E.keep(E.requireGrad(E.noGrad(() => E.gather(this.instanceMemory, ids, 0))));
    ids.dispose();
    this.instanceMemory.dispose();
    this.instanceMemory = kept;
    this.instanceClass = Int32Array.from(rows, (r) => this.instanceClass[r]);
    const counts = new Array(this.config.classes).fill(0);
    this.instanceClass.forEach((c) => counts[c]++);
    if (counts.every((n) => n === counts[0])) this.config = { ...this.config, imagesPerClass: counts[0] };
  }

  /** Host copies of every parameter, for safetensors / checkpoints. */
  async stateDict(): Promise<Record<string, { shape: number[]; data: Float32Array }>> {
    const out: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const [name, t] of this.namedParameters()) out[name] = { shape: [...t.shape], data: await t.floats() };
    return out;
  }

  /** Rebuild from a state dict (e.g. a safetensors file); shapes must match the config. */
  static fromState(config: HmnConfig, state: Record<string, { shape: number[]; data: Float32Array }>, instanceClass: Int32Array): Hmn {
    validateConfig(config);
    const fresh = Hmn.create({ ...config, imagesPerClass: 1 }, 0);
    const load = (name: string, expect?: readonly number[]) => {
      const s = state[name];
      if (!s) throw new Error(`HMN state is missing '${name}'`);
      if (expect && (s.shape.length !== expect.length || s.shape.some((d, i) => d !== expect[i]))) {
        throw new Error(`HMN state '${name}' has shape [${s.shape}], expected [${expect}]`);
      }
      return E.keep(E.requireGrad(E.tensor(s.data, s.shape)));
    };
    const m = config.memorySize;
    const hmn: Hmn = new Hmn(config, {
      datasetMemory: load('memory.dataset', fresh.datasetMemory.shape),
      classMemory: load('memory.class', fresh.classMemory.shape),
      instanceMemory: load('memory.instance', [instanceClass.length, config.instanceChannels, m, m]),
      instanceClass: Int32Array.from(instanceClass),
      extractor: { weight: load('extractor.weight', fresh.extractor.weight.shape), bias: load('extractor.bias', fresh.extractor.bias.shape) },
      decoder: fresh.decoder.map((p, i) => ({ weight: load(`decoder.${i}.weight`, p.weight.shape), bias: load(`decoder.${i}.bias`, p.bias.shape) })),
    });
    fresh.dispose();
    return hmn;
  }

  dispose(): void {
    for (const t of this.parameters()) t.dispose();
  }
}
