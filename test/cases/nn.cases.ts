// Modules and ConvNet-D: the functional forward and every parameter gradient against a float64 CPU ConvNet
// (test/reference/nn.ts) with finite-difference gradients; PyTorch's names, shapes and initialisation;
// forward with replacement parameters; state dicts; parameter lifetime. The PyTorch comparison at full
// width lives in test/nn/convnet-torch.test.ts (it reads a fixture file, so it runs in Node only).
import * as E from '../../engine/index.js';
import { checkOp, expectClose, type Digest, expectThrows } from '../helpers/check.js';
import { makeRng, randomArray, prod } from '../helpers/rng.js';
import { convNetRef, convNetParamShapes, linearRef, type ConvNetSpec } from '../reference/nn.js';
import { conv2dRef } from '../reference/conv.js';
import type { TestCase } from './types.js';

const netOf = (s: ConvNetSpec, seed = 0) =>
  new E.ConvNet({ inChannels: s.inChannels, classes: s.classes, width: s.width, depth: s.depth, imageSize: s.imageSize, seed });

/** Value ranges that keep every layer away from degenerate statistics: weights as initialised, norm scales near 1. */
function paramRange(shape: number[], k: number): [number, number] {
  if (k % 4 === 2 && shape.length === 1) return [0.5, 1.5]; // norm weight
  if (k % 4 === 3 && shape.length === 1) return [-0.3, 0.3]; // norm bias
  const bound = 1 / Math.sqrt(prod(shape.slice(1)) || 1);
  return [-bound, bound];
}

function convNetCheck(name: string, s: ConvNetSpec): TestCase {
  return {
    name,
    run: async () => {
      const net = netOf(s);
      const shapes = convNetParamShapes(s);
      const paramNames = net.namedParameters().map(([n]) => n);
      const digest = await checkOp({
        name,
        inputs: [
          { shape: [s.batch, s.inChannels, s.imageSize, s.imageSize] },
          ...shapes.map((shape, k) => ({ shape, range: k < 4 * s.depth ? paramRange(shape, k) : ([-0.3, 0.3] as [number, number]) })),
        ],
        // The net's own parameters are ignored: forward() reads the checked tensors in their place.
        gpu: ([x, ...params]) => net.forward(x, params),
        ref: ([x, ...params]) => convNetRef(s, x, params),
        tol: { atol: 1e-5, rtol: 1e-4 },
        gradTol: { atol: 1e-4, rtol: 1e-3 },
      });
      if (paramNames.length !== shapes.length) throw new Error(`${paramNames.length} parameters, reference has ${shapes.length}`);
      net.dispose();
      return digest;
    },
  };
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>, what: string) => expectClose(a, b, { atol: 0, rtol: 0 }, what);

/** PyTorch's state_dict keys and shapes for ConvNet-3 (width 128, 32x32, 10 classes). */
const CONVNET3_TORCH: [string, number[]][] = [
  ['features.0.weight', [128, 3, 3, 3]], ['features.0.bias', [128]], ['features.1.weight', [128]], ['features.1.bias', [128]],
  ['features.4.weight', [128, 128, 3, 3]], ['features.4.bias', [128]], ['features.5.weight', [128]], ['features.5.bias', [128]],
  ['features.8.weight', [128, 128, 3, 3]], ['features.8.bias', [128]], ['features.9.weight', [128]], ['features.9.bias', [128]],
  ['classifier.weight', [10, 2048]], ['classifier.bias', [10]],
];

export const nnCases: TestCase[] = [
  convNetCheck('ConvNet-2 (3 channels, width 4, 8x8): logits, input and parameter gradients vs float64 CPU', {
    batch: 2, inChannels: 3, width: 4, depth: 2, imageSize: 8, classes: 3,
  }),
  convNetCheck('ConvNet-3 (1 channel, width 5, 8x8, 1x1 before the classifier) vs float64 CPU', {
    batch: 2, inChannels: 1, width: 5, depth: 3, imageSize: 8, classes: 4,
  }),
  {
    name: 'ConvNet-3 and ConvNet-4: PyTorch state_dict names and shapes, parameter counts, output shape',
    run: async () => {
      const net3 = new E.ConvNet({ inChannels: 3, classes: 10 });
      const got = net3.namedParameters().map(([n, t]) => `${n} [${t.shape.join(', ')}]`);
      const want = CONVNET3_TORCH.map(([n, s]) => `${n} [${s.join(', ')}]`);
      if (got.join('\n') !== want.join('\n')) throw new Error(`ConvNet-3 parameters:\n${got.join('\n')}\nexpected:\n${want.join('\n')}`);
      if (net3.parameterCount() !== 320_010) throw new Error(`ConvNet-3 has ${net3.parameterCount()} parameters, expected 320,010`);
      net3.dispose();
      const net4 = new E.ConvNet({ inChannels: 3, classes: 10, depth: 4, imageSize: 64 });
      if (net4.parameterCount() !== 467_850) throw new Error(`ConvNet-4 has ${net4.parameterCount()} parameters, expected 467,850`);
      if (net4.namedParameters().at(-3)![0] !== 'features.13.bias') throw new Error('ConvNet-4: the last norm is not features.13');
      net4.dispose();
      // A narrow ConvNet-4 on 64x64 images runs end to end.
      const small = new E.ConvNet({ inChannels: 3, classes: 7, width: 8, depth: 4, imageSize: 64 });
      const x = E.randomUniform([2, 3, 64, 64], new E.Random(1));
      const y = E.tidy(() => small.forward(x));
      if (y.shape.join() !== '2,7') throw new Error(`ConvNet-4 logits [${y.shape}]`);
      const logits = await y.floats();
      if (!logits.every(Number.isFinite)) throw new Error('ConvNet-4 logits are not finite');
      [x, y].forEach((t) => t.dispose());
      small.dispose();
      expectThrows(() => new E.ConvNet({ inChannels: 3, classes: 10, depth: 4, imageSize: 36 }), /not divisible by 2\^depth/);
      return { logits: Array.from(logits) };
    },
  },
  {
    name: 'initialisation: PyTorch defaults from the seeded Random (bounds, spread, norm 1/0, same seed same net)',
    run: async () => {
      const nets = [7, 7, 8].map((seed) => new E.ConvNet({ inChannels: 3, classes: 10, seed }));
      const [a, b, c] = await Promise.all(nets.map((n) => n.stateDict()));
      const digest: Digest = {};
      const shapes = new Map(CONVNET3_TORCH);
      for (const [name] of CONVNET3_TORCH) {
        same(b[name], a[name], `${name}, same seed`);
        const [module, index] = name.split('.');
        if (module === 'features' && Number(index) % 4 === 1) {
          same(a[name], new Float32Array(a[name].length).fill(name.endsWith('weight') ? 1 : 0), `${name} (norm)`);
          continue;
        }
        if (a[name].every((v, i) => v === c[name][i])) throw new Error(`${name}: seeds 7 and 8 gave the same values`);
        // Conv and linear, weights and biases alike: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
        const fanIn = prod(shapes.get(name.replace(/bias$/, 'weight'))!.slice(1));
        const bound = 1 / Math.sqrt(fanIn);
        const v = a[name];
        const max = v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
        const variance = v.reduce((s, x) => s + x * x, 0) / v.length;
        if (max > bound) throw new Error(`${name}: |value| ${max} above the bound ${bound}`);
        if (v.length >= 2048) {
          // Uniform on [-b, b]: variance b^2 / 3, and the extremes come close to the bound.
          if (Math.abs(variance / (bound * bound / 3) - 1) > 0.05) throw new Error(`${name}: variance ${variance}, expected ${bound * bound / 3}`);
          if (max < 0.99 * bound) throw new Error(`${name}: values stay below ${max} (bound ${bound})`);
        }
        digest[name] = Array.from(v.subarray(0, 8));
      }
      nets.forEach((n) => n.dispose());
      return digest;
    },
  },
  {
    name: 'forward(x, params): a list, a Map or a record of tensors replaces the own parameters; checked',
    run: async () => {
      const spec = { inChannels: 2, classes: 3, width: 4, depth: 2, imageSize: 8 };
      const [netA, netB] = [new E.ConvNet({ ...spec, seed: 1 }), new E.ConvNet({ ...spec, seed: 2 })];
      const x = E.randomNormal([3, 2, 8, 8], new E.Random(5));
      const results = E.tidy(() => ({
        a: netA.forward(x),
        b: netB.forward(x),
        aWithOwnList: netA.forward(x, netA.parameters()),
        aWithBList: netA.forward(x, netB.parameters()),
        aWithBMap: netA.forward(x, new Map(netB.namedParameters())),
        aWithBRecord: netA.forward(x, Object.fromEntries(netB.namedParameters())),
      }));
      const v = Object.fromEntries(await Promise.all(Object.entries(results).map(async ([k, t]) => [k, await t.floats()] as const)));
      same(v.aWithOwnList, v.a, 'own parameters passed as a list');
      for (const k of ['aWithBList', 'aWithBMap', 'aWithBRecord']) same(v[k], v.b, `${k} equals net B`);
      if (v.a.every((y, i) => y === v.b[i])) throw new Error('nets with different seeds gave the same logits');
      const params = netB.parameters();
      expectThrows(() => netA.forward(x, params.slice(1)), /got 9 parameters, the module has 10/);
      expectThrows(() => netA.forward(x, [params[1], params[0], ...params.slice(2)]), /'features.0.weight' should be \[4, 2, 3, 3\], got \[4\]/);
      const partial = new Map(netB.namedParameters());
      partial.delete('features.5.bias');
      expectThrows(() => netA.forward(x, partial), /no tensor for parameter 'features.5.bias'/);
      expectThrows(() => netA.forward(x, { ...Object.fromEntries(netB.namedParameters()), 'features.2.weight': params[2] }), /unexpected parameter 'features.2.weight'/);
      expectThrows(() => netA.forward(E.tidy(() => E.zeros([1, 3, 8, 8]))), /expected images \[N, 2, 8, 8\], got \[1, 3, 8, 8\]/);
      Object.values(results).forEach((t) => t.dispose());
      [netA, netB].forEach((n) => n.dispose());
      x.dispose();
      return { a: Array.from(v.a) };
    },
  },
  {
    name: 'stateDict / loadStateDict: round trip, in place (an optimizer keeps working), strict names and sizes',
    run: async () => {
      const spec = { inChannels: 3, classes: 5, width: 4, depth: 2, imageSize: 8 };
      const [source, target] = [new E.ConvNet({ ...spec, seed: 3 }), new E.ConvNet({ ...spec, seed: 4 })];
      const before = target.parameters();
      const opt = new E.SGD(target.parameters(), { lr: 0.1 });
      const state = await source.stateDict();
      target.loadStateDict(state);
      if (target.parameters().some((t, i) => t !== before[i])) throw new Error('loadStateDict replaced parameter tensors');
      const loaded = await target.stateDict();
      for (const name of Object.keys(state)) same(loaded[name], state[name], name);
      const x = E.randomUniform([2, 3, 8, 8], new E.Random(2));
      const [ys, yt] = E.tidy(() => [source.forward(x), target.forward(x)]);
      same(await yt.floats(), await ys.floats(), 'logits after loading');
      // The optimizer holds the same tensors, so it updates the loaded values.
      const w = target.parameters()[0];
      w.grad = E.keep(E.ones(w.shape));
      opt.step();
      expectClose(await w.floats(), state['features.0.weight'].map((v) => v - 0.1), { atol: 1e-7, rtol: 0 }, 'SGD step on loaded weights');
      const wrongSize = { ...state, 'classifier.bias': new Float32Array(4) };
      expectThrows(() => target.loadStateDict(wrongSize), /'classifier.bias' has 4 values, the parameter \[5\] has 5/);
      const { ['features.4.bias']: _dropped, ...missing } = state;
      expectThrows(() => target.loadStateDict(missing), /missing 'features.4.bias'/);
      expectThrows(() => target.loadStateDict({ ...state, 'features.2.weight': new Float32Array(4) }), /unexpected 'features.2.weight'/);
      target.loadStateDict(new Map(Object.entries(state)));
      same(await target.parameters()[0].floats(), state['features.0.weight'], 'loading from a Map');
      [x, ys, yt].forEach((t) => t.dispose());
      opt.dispose();
      [source, target].forEach((n) => n.dispose());
    },
  },
  {
    name: 'parameters outlive the tidy() that built the net; dispose() frees every byte',
    run: async () => {
      await E.sync();
      const before = E.memory().liveBytes;
      const net = E.tidy(() => new E.ConvNet({ inChannels: 3, classes: 10, width: 8, depth: 3, imageSize: 32 }));
      if (net.parameters().some((t) => t.isDisposed || !t.requiresGrad)) throw new Error('a parameter was freed by tidy() or does not require grad');
      const x = E.randomUniform([2, 3, 32, 32], new E.Random(4));
      const y = E.keep(E.tensor(Int32Array.from([1, 2]), [2], 'i32'));
      // Two backward passes accumulate into .grad, then a tidy() scope frees everything of the steps.
      E.tidy(() => E.backward(E.crossEntropy(net.forward(x), y)));
      E.tidy(() => E.backward(E.crossEntropy(net.forward(x), y)));
      if (net.parameters().some((t) => !t.grad)) throw new Error('backward left a parameter without .grad');
      [x, y].forEach((t) => t.dispose());
      net.dispose();
      await E.sync();
      if (E.memory().liveBytes !== before) throw new Error(`live bytes ${E.memory().liveBytes} after dispose, ${before} before`);
    },
  },
  {
    name: 'layers: Conv2d (stride, padding, no bias), Linear and Sequential names against references',
    run: async () => {
      const rng = new E.Random(9);
      const conv = new E.Conv2d(2, 3, 3, { rng, stride: 2, padding: 1, bias: false });
      const fc = new E.Linear(6, 4, { rng });
      const seq = new E.Sequential([new E.Conv2d(2, 2, 1, { rng }), new E.ReLU(), new E.Linear(2, 2, { rng, bias: false })]);
      const names = seq.namedParameters().map(([n]) => n).join(', ');
      if (names !== '0.weight, 0.bias, 2.weight') throw new Error(`Sequential names: ${names}`);
      if (conv.namedParameters().map(([n]) => n).join() !== 'weight') throw new Error('Conv2d without bias has a bias');
      const r = makeRng(12);
      const xc = randomArray(2 * 2 * 5 * 5, r);
      const xl = randomArray(3 * 6, r);
      const tc = E.tensor(Float32Array.from(xc), [2, 2, 5, 5]);
      const tl = E.tensor(Float32Array.from(xl), [3, 6]);
      const [yc, yl] = E.tidy(() => [conv.forward(tc), fc.forward(tl)]);
      const [w, fw, fb] = [await conv.parameters()[0].floats(), ...(await Promise.all(fc.parameters().map((p) => p.floats())))];
      const tol = { atol: 1e-6, rtol: 1e-5 };
      expectClose(await yc.floats(), conv2dRef({ n: 2, c: 2, h: 5, w: 5, o: 3, kh: 3, kw: 3, stride: 2, pad: 1 }, xc, w), tol, 'Conv2d');
      expectClose(await yl.floats(), linearRef(3, 6, 4, xl, fw, fb), tol, 'Linear');
      [tc, tl, yc, yl].forEach((t) => t.dispose());
      [conv, fc, seq].forEach((m) => m.dispose());
    },
  },
];
