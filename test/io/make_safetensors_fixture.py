"""Writes test/io/fixtures/torch.safetensors from PyTorch tensors, byte by byte per the safetensors spec.

The Python `safetensors` package is not installed here, so this follows the format and the reference
implementation's layout directly: an 8-byte little-endian header length, a compact JSON header
(__metadata__ first, then the tensors sorted by dtype, widest first, then by name) padded with spaces to a
multiple of 8 bytes, then each tensor's raw little-endian C-order bytes. test/io/safetensors.test.ts reads
the file and checks that writeSafetensors produces the same bytes for the same tensors.

Run with the Debian Python that has torch:  /usr/bin/python3 test/io/make_safetensors_fixture.py
"""
import json
import os
import struct
import sys

import torch

DTYPES = {torch.float32: "F32", torch.int32: "I32", torch.uint8: "U8"}
# The reference implementation's Dtype enum order (ascending); tensors are written in descending order.
RANK = {"U8": 1, "I32": 9, "F32": 11}


def tensors():
    # The test rebuilds the same values from these formulas.
    return {
        "weight": torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) * 0.5 - 3,
        "ids": torch.arange(-3, 7, dtype=torch.int32).reshape(2, 5),
        "mask": (torch.arange(10) % 3 == 0).to(torch.uint8),
        "pixels": torch.arange(7, dtype=torch.uint8) * 37,
        "bias": torch.tensor([1.5, -2.25, 1e-8], dtype=torch.float32),
        "empty": torch.zeros(0, 3, dtype=torch.float32),
        "scalar": torch.tensor(3.25, dtype=torch.float32),
    }


METADATA = {"format": "hmn-webgpu", "note": "ünïcode \"quoted\"\n"}


def serialize(named, metadata):
    names = sorted(named, key=lambda n: (-RANK[DTYPES[named[n].dtype]], n))
    header = {"__metadata__": metadata}
    offset = 0
    blobs = []
    for name in names:
        t = named[name].contiguous()
        data = t.numpy().tobytes()  # C order; this machine is little-endian
        assert sys.byteorder == "little"
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


if __name__ == "__main__":
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "torch.safetensors")
    with open(out, "wb") as f:
        f.write(serialize(tensors(), METADATA))
    print(out)
