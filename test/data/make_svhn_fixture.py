"""Writes test/data/fixtures/svhn_scipy_32x32.mat: a 5-image file in SVHN's format, written by scipy.

scipy.io.savemat(do_compression=True) writes a level-5 MAT-file with zlib-compressed (miCOMPRESSED)
elements, like the official train_32x32.mat: X uint8 [32, 32, 3, N] and y double [N, 1] (10 = digit 0).
X(row, col, channel, image) = (7 row + 3 col + 50 channel + 11 image) mod 256 (0-based), which
test/data/svhn.test.ts checks after the loader's transpose to NCHW.

Run with a Python that has scipy:  python3 test/data/make_svhn_fixture.py
"""
import os

import numpy as np
import scipy.io

r, c, ch, n = np.meshgrid(np.arange(32), np.arange(32), np.arange(3), np.arange(5), indexing="ij")
X = ((7 * r + 3 * c + 50 * ch + 11 * n) % 256).astype(np.uint8)  # numpy index = MATLAB index - 1
y = np.array([[1], [10], [5], [10], [9]], dtype=np.float64)
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "svhn_scipy_32x32.mat")
scipy.io.savemat(out, {"X": X, "y": y}, do_compression=True, format="5")
print(out, os.path.getsize(out), "bytes")
