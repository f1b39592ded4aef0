"""PyTorch CPU peer of bench/peers: the same workloads as bench/workloads.ts (NCHW, fp32), timed with a median
over --repeat samples after one warm-up. Prints one JSON object on stdout; run with /usr/bin/python3."""
import argparse
import json
import re
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

THREADS = 2  # the machine's cores, shared with lavapipe runs of the other peers


def convnet(seed):
    torch.manual_seed(seed)
    layers = []
    for i in range(3):
        layers += [nn.Conv2d(3 if i == 0 else 128, 128, 3, padding=1), nn.GroupNorm(128, 128, affine=True),
                   nn.ReLU(), nn.AvgPool2d(2)]
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(128 * 4 * 4, 10))


def matmul(n=1024):
    a, b = torch.randn(n, n), torch.randn(n, n)
    return lambda: a @ b


CONV = dict(n=64, c=128, o=128, size=16)


def conv_inputs():
    s = CONV
    return torch.randn(s['n'], s['c'], s['size'], s['size']), torch.randn(s['o'], s['c'], 3, 3) * 0.05


def conv_fwd():
    x, w = conv_inputs()
    return lambda: F.conv2d(x, w, padding=1)


def conv_fwd_bwd():
    x, w = conv_inputs()
    x.requires_grad_()
    w.requires_grad_()
    g = torch.randn(CONV['n'], CONV['o'], CONV['size'], CONV['size'])
    return lambda: torch.autograd.grad(F.conv2d(x, w, padding=1), [x, w], g)


def train_step(batch=64):
    net = convnet(1)
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x, y = torch.randn(batch, 3, 32, 32), torch.randint(0, 10, (batch,))

    def step():
        opt.zero_grad()
        F.cross_entropy(net(x), y).backward()
        opt.step()
    return step


def match_step(batch=64):
    """Weight-gradient distance of 64 real vs 64 synthetic images, differentiated w.r.t. the synthetic ones."""
    net = convnet(2)
    params = list(net.parameters())
    real = torch.randn(batch, 3, 32, 32)
    syn = torch.randn(batch, 3, 32, 32, requires_grad=True)
    y = torch.full((batch,), 3, dtype=torch.long)

    def step():
        g_real = torch.autograd.grad(F.cross_entropy(net(real), y), params)
        g_syn = torch.autograd.grad(F.cross_entropy(net(syn), y), params, create_graph=True)
        dist = sum(((gr - gs) ** 2).sum() for gr, gs, p in zip(g_real, g_syn, params) if p.dim() >= 2)
        return torch.autograd.grad(dist, [syn])
    return step


# key (shared with bench/peers/workloads.ts) -> (setup, steps per sample as in bench/workloads.ts)
WORKLOADS = {
    'matmul': (matmul, 4),
    'conv-fwd': (conv_fwd, 2),
    'conv-fwd-bwd': (conv_fwd_bwd, 1),
    'train-step': (train_step, 1),
    'match-step': (match_step, 1),
}


def measure(setup, steps, repeat):
    step = setup()
    step()  # warm-up
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        samples.append((time.perf_counter() - t0) * 1000 / steps)
    return {'medianMs': statistics.median(samples), 'samplesMs': samples}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--filter', default='')
    ap.add_argument('--repeat', type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(THREADS)
    pattern = re.compile(args.filter, re.I)
    results = {}
    for key, (setup, steps) in WORKLOADS.items():
        if pattern.search(key):
            try:
                results[key] = measure(setup, steps, args.repeat)
            except Exception as e:  # reported in the table, not hidden
                results[key] = {'error': f'{type(e).__name__}: {e}'.splitlines()[0]}
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(),
                      'repeat': args.repeat, 'results': results}))


if __name__ == '__main__':
    main()
