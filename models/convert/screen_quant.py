"""Quantisation-sensitivity screening of the UpscalerJS candidates (issue: keep a network for NAWQ-SR only if
all-A8W8 costs it >= 0.3 dB). For slim x2, slim x4 and medium x2: FP32, all-A16W8 and all-A8W8 RGB PSNR on
the held-out evaluation crops (sr_entries.py: 256x256 HR, PIL bicubic LR), plus bicubic.

The quantisation is simulated in NumPy the way the emulator's integer path quantises (activations:
asymmetric per-tensor min/max ranges calibrated on the same calibration crops sr_entries.py writes, the
input at 8 bits over [0, 255]; weights: symmetric per-output-channel 8-bit); it fake-quantises every layer's
output (convolution, add, concatenation) instead of running integer kernels, so it is a screen, not the
served arithmetic: the served networks' exact integer figures are in summary.csv.

Writes docs/results/nawq-sr/screening.csv. About 5 minutes on 2 cores.
Usage: python models/convert/screen_quant.py
"""
import csv
import os
import sys

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "training"))
import esrgan  # noqa: E402
import sr  # noqa: E402
import sr_entries  # noqa: E402

OUT = os.path.join(HERE, "..", "..", "docs", "results", "nawq-sr", "screening.csv")
CANDIDATES = [("esrgan-slim-x2", "slim", 2), ("esrgan-slim-x4", "slim", 4), ("esrgan-medium-x2", "medium", 2)]


def fake_quant(x, lo, hi, bits):
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    q = 2 ** bits - 1
    s = (hi - lo) / q
    z = np.round(-lo / s)
    return (np.clip(np.round(x / s) + z, 0, q) - z) * s


def weight_quant(k):
    s = np.abs(k).reshape(-1, k.shape[3]).max(axis=0) / 127.0
    return np.round(k / s) * s


def run(model, weights, x, bits=0, ranges=None, record=None):
    t = {}
    name = None
    for cls, name, cfg, ins in esrgan.layers(model):
        if cls == "InputLayer":
            y = x
        elif cls == "Conv2D":
            k = weights[name + "/kernel"]
            y = esrgan.np_conv(t[ins[0]], weight_quant(k) if bits else k, weights[name + "/bias"],
                               cfg["padding"] == "same")
            if cfg["activation"] == "relu":
                y = np.maximum(y, 0)
        elif cls == "Activation":
            y = np.maximum(t[ins[0]], 0)
        elif cls == "Concatenate":
            y = np.concatenate([t[i] for i in ins], axis=-1)
        elif cls == "Add":
            y = sum(t[i] for i in ins)
        else:
            sh, sw = cfg["size"]
            y = np.repeat(np.repeat(t[ins[0]], sh, axis=0), sw, axis=1)
        if record is not None:
            r = record.setdefault(name, [np.inf, -np.inf])
            r[0], r[1] = min(r[0], y.min()), max(r[1], y.max())
        if bits and cls not in ("UpSampling2D", "InputLayer"):
            y = fake_quant(y, *ranges[name], bits)
        t[name] = y
    return t[name]


def psnr(a, b, s):
    a = np.clip(np.round(a), 0, 255)
    return sr_entries.psnr(a, b.astype(np.float64), s, 255.0)


def calibration(s):
    out = []
    rng = np.random.default_rng(sr_entries.SEED + s)
    for k in range(sr_entries.CALIB_CROPS):
        img = sr_entries.rgb_u8(sr.load_image(sr.TRAIN[k % len(sr.TRAIN)]))
        h, w = (img.shape[0] // s) * s, (img.shape[1] // s) * s
        lr = np.asarray(Image.fromarray(img[:h, :w]).resize((w // s, h // s), Image.BICUBIC))
        i = rng.integers(0, lr.shape[0] - sr_entries.CALIB_LR)
        j = rng.integers(0, lr.shape[1] - sr_entries.CALIB_LR)
        out.append(lr[i:i + sr_entries.CALIB_LR, j:j + sr_entries.CALIB_LR].astype(np.float64))
    return out


def main():
    rows = []
    for name, size, s in CANDIDATES:
        model, weights, _ = esrgan.read_package(size, s)
        ranges = {}
        for x in calibration(s):
            run(model, weights, x, record=ranges)
        for n in sr.HELD_OUT:
            hr, lr = sr_entries.eval_pair(n, s)
            lr = lr.astype(np.float64)
            r = {"network": name, "image": n.replace("sklearn:", "")}
            r["fp32_rgb_db"] = psnr(run(model, weights, lr), hr, s)
            r["a16w8_rgb_db"] = psnr(run(model, weights, lr, 16, ranges), hr, s)
            r["a8w8_rgb_db"] = psnr(run(model, weights, lr, 8, ranges), hr, s)
            bic = np.asarray(Image.fromarray(lr.astype(np.uint8)).resize((hr.shape[1], hr.shape[0]), Image.BICUBIC))
            r["bicubic_rgb_db"] = psnr(bic, hr, s)
            r["a8w8_loss_db"] = r["fp32_rgb_db"] - r["a8w8_rgb_db"]
            rows.append(r)
            print({k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items()}, flush=True)
        mean = {k: float(np.mean([x[k] for x in rows if x["network"] == name])) for k in rows[-1] if k.endswith("db")}
        rows.append({"network": name, "image": "mean", **mean})
        print(name, "mean", {k: round(v, 3) for k, v in mean.items()}, flush=True)
    with open(OUT, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        for r in rows:
            w.writerow({k: (f"{v:.3f}" if isinstance(v, float) else v) for k, v in r.items()})


if __name__ == "__main__":
    main()
