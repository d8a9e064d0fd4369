"""Trains and exports the early-exit CNN (ee-digits) and its single-graph full-depth twin (digits-cnn).

Data: scikit-learn's bundled handwritten digits (1797 real 8x8 scans, 10 classes), upscaled to 32x32 and
degraded the way a smart-home camera degrades a view: a per-sample severity s in [0, 1] sets rotation,
shift, blur, sensor noise, loss of contrast, a natural-texture background (crops of scikit-image's
sample photographs) and occlusion. Easy (clean) and hard (degraded) samples are mixed, so exits have
something to decide. Split 60/20/20 (stratified, seed 7): train / validation (threshold calibration) /
test (held out; its degradations are drawn once with a fixed seed and committed as uint8).

Architecture: ResNet-style, 4 stages of 2 basic blocks (16/32/64/128 channels at 32/16/8/4 px), an exit
head (conv3x3 -> 32, global average pool, FC -> 10, softmax) after every stage. Trained jointly on the sum
of the four exits' cross-entropy losses. Exported with BatchNorm folded into the convolutions.

Wide variant (--wide): ee-resnet18-digits, the same task and exits on ResNet-18's widths (64/128/256/512
channels) and stem (7x7 stride-2 convolution and a 3x3 stride-2 max pool, so the stages run at 8/4/2/1 px):
11.2 M parameters, more than an Edge-TPU-class NPU's 8 MB parameter cache holds at 8 bits, so on the
memory-bound profile batching pays (weights streamed once per batch). Written to models/live/ (not the
default repository): the live fluid-batching experiment serves it.

Usage: python models/training/ee_cnn.py [--epochs N] [--wide]
"""
import argparse
import csv
import os
import shutil

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from scipy import ndimage
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import common

SEED = 7
SIZE = 32
CHANNELS = [16, 32, 64, 128]
WIDE_CHANNELS = [64, 128, 256, 512]  # ResNet-18's stage widths (He et al., 2016, Table 1)
WIDE = False  # set by --wide: ResNet-18 widths and stem
LIVE = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "live"))
ACCURACY_BUDGET = 0.005  # largest validation-accuracy loss allowed by the exit thresholds (0.5 points)


def load_backgrounds():
    import skimage.data as d
    from skimage.color import rgb2gray
    imgs = []
    for name in ["camera", "brick", "grass", "gravel", "moon", "coins", "page", "text", "rocket", "coffee"]:
        im = getattr(d, name)()
        if im.ndim == 3:
            im = rgb2gray(im[..., :3])
        im = im.astype(np.float32)
        if im.max() > 1.5:
            im /= 255.0
        imgs.append(im)
    return imgs


def upscale(digits8):
    # 8x8 values 0..16 -> 32x32 in [0, 1], bilinear, digit in the central 24x24 region.
    out = np.zeros((len(digits8), SIZE, SIZE), np.float32)
    for i, im in enumerate(digits8):
        big = ndimage.zoom(im.reshape(8, 8) / 16.0, 3, order=1)
        out[i, 4:28, 4:28] = np.clip(big, 0, 1)
    return out


def degrade(img, s, rng, backgrounds):
    """Camera-like degradation of one 32x32 digit at severity s in [0, 1]."""
    angle = rng.uniform(-25, 25) * s
    x = ndimage.rotate(img, angle, reshape=False, order=1, mode="constant")
    shift = rng.uniform(-4, 4, size=2) * s
    x = ndimage.shift(x, shift, order=1, mode="constant")
    sigma = rng.uniform(0, 1.6) * s
    if sigma > 0.05:
        x = ndimage.gaussian_filter(x, sigma)
    contrast = 1.0 - 0.65 * s * rng.uniform(0.5, 1.0)
    bg = backgrounds[rng.integers(len(backgrounds))]
    y0 = rng.integers(0, bg.shape[0] - SIZE)
    x0 = rng.integers(0, bg.shape[1] - SIZE)
    crop = bg[y0:y0 + SIZE, x0:x0 + SIZE]
    alpha = 0.55 * s * rng.uniform(0.5, 1.0)
    x = contrast * x + alpha * crop
    if rng.uniform() < 0.6 * s:
        h, w = rng.integers(6, 14, size=2)
        py, px = rng.integers(0, SIZE - h), rng.integers(0, SIZE - w)
        x[py:py + h, px:px + w] = rng.uniform(0, 1)
    x = x + rng.normal(0, 0.3 * s, size=x.shape)
    return np.clip(x, 0, 1).astype(np.float32)


def degrade_all(imgs, rng, backgrounds, severities=None):
    n = len(imgs)
    if severities is None:
        severities = rng.uniform(0, 1, size=n)
    return np.stack([degrade(imgs[i], severities[i], rng, backgrounds) for i in range(n)]), severities


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        s = x if self.short is None else self.short(x)
        return F.relu(y + s)


class FusedBlock(nn.Module):
    """Inference form of Block with BatchNorm folded (what gets exported)."""

    def __init__(self, block: Block):
        super().__init__()
        self.conv1 = common.fuse_conv_bn(block.conv1, block.bn1)
        self.conv2 = common.fuse_conv_bn(block.conv2, block.bn2)
        self.short = None if block.short is None else common.fuse_conv_bn(block.short[0], block.short[1])

    def forward(self, x):
        y = F.relu(self.conv1(x))
        y = self.conv2(y)
        s = x if self.short is None else self.short(x)
        return F.relu(y + s)


class Head(nn.Module):
    def __init__(self, cin, classes=10):
        super().__init__()
        self.conv = nn.Conv2d(cin, 32, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(32)
        self.fc = nn.Linear(32, classes)

    def forward(self, x):
        y = F.relu(self.bn(self.conv(x)))
        return self.fc(y.mean(dim=(2, 3)))


class FusedHead(nn.Module):
    def __init__(self, head: Head):
        super().__init__()
        self.conv = common.fuse_conv_bn(head.conv, head.bn)
        self.fc = head.fc

    def forward(self, x):
        y = F.relu(self.conv(x))
        return torch.softmax(self.fc(y.mean(dim=(2, 3))), dim=1)


class EENet(nn.Module):
    def __init__(self):
        super().__init__()
        if WIDE:  # ResNet-18's stem: 7x7 stride 2, then a 3x3 stride-2 max pool (32 px -> 8 px)
            self.stem = nn.Sequential(nn.Conv2d(1, CHANNELS[0], 7, 2, 3, bias=False), nn.BatchNorm2d(CHANNELS[0]))
        else:
            self.stem = nn.Sequential(nn.Conv2d(1, CHANNELS[0], 3, 1, 1, bias=False), nn.BatchNorm2d(CHANNELS[0]))
        stages = []
        cin = CHANNELS[0]
        for i, c in enumerate(CHANNELS):
            stride = 1 if i == 0 else 2
            stages.append(nn.Sequential(Block(cin, c, stride), Block(c, c, 1)))
            cin = c
        self.stages = nn.ModuleList(stages)
        self.heads = nn.ModuleList([Head(c) for c in CHANNELS])

    def forward(self, x):
        x = (x - 0.5) / 0.5
        x = F.relu(self.stem(x))
        if WIDE:
            x = F.max_pool2d(x, 3, 2, 1)
        outs = []
        for stage, head in zip(self.stages, self.heads):
            x = stage(x)
            outs.append(head(x))
        return outs


class FusedStage(nn.Module):
    def __init__(self, net: EENet, index: int):
        super().__init__()
        self.first = index == 0
        if self.first:
            self.stem = common.fuse_conv_bn(net.stem[0], net.stem[1])
        self.blocks = nn.Sequential(*[FusedBlock(b) for b in net.stages[index]])

    def forward(self, x):
        if self.first:
            x = F.relu(self.stem((x - 0.5) / 0.5))
            if WIDE:
                x = F.max_pool2d(x, 3, 2, 1)
        return self.blocks(x)


class FullDepth(nn.Module):
    def __init__(self, stages, head):
        super().__init__()
        self.stages = nn.ModuleList(stages)
        self.head = head

    def forward(self, x):
        for s in self.stages:
            x = s(x)
        return self.head(x)


def evaluate(net, x, batch=256):
    net.eval()
    probs = [[] for _ in CHANNELS]
    with torch.no_grad():
        for i in range(0, len(x), batch):
            outs = net(torch.from_numpy(x[i:i + batch]).unsqueeze(1))
            for e, o in enumerate(outs):
                probs[e].append(torch.softmax(o, 1).numpy())
    return [np.concatenate(p) for p in probs]


def exit_decisions(probs, threshold):
    """Index of the first exit whose top-1 probability reaches the threshold (the last exit otherwise)."""
    n = probs[0].shape[0]
    taken = np.full(n, len(probs) - 1)
    for e in range(len(probs) - 2, -1, -1):
        conf = probs[e].max(1)
        taken = np.where(conf >= threshold, e, taken)
    preds = np.array([probs[taken[i]][i].argmax() for i in range(n)])
    return taken, preds


def calibrate(probs, labels):
    full_acc = (probs[-1].argmax(1) == labels).mean()
    best = 1.0
    for t in np.arange(0.50, 1.0001, 0.005):
        _, preds = exit_decisions(probs, t)
        if (preds == labels).mean() >= full_acc - ACCURACY_BUDGET:
            best = float(t)
            break
    return round(best, 3)


EE_CONFIG = """\
# Written by models/training/ee_cnn.py (edit the script, not this file). See MODEL_CARD.md.
kind: early-exit
description: {desc}
max-batch-size: 8
slo: {slo}
inputs:
  - {{name: image, datatype: FP32, shape: [1, 32, 32]}}   # grey levels in [0, 1]
stages:
  - graph: stage0.onnx
    exit: {{graph: exit0.onnx, threshold: {t}}}
  - graph: stage1.onnx
    exit: {{graph: exit1.onnx, threshold: {t}}}
  - graph: stage2.onnx
    exit: {{graph: exit2.onnx, threshold: {t}}}
  - graph: stage3.onnx
    exit: {{graph: exit3.onnx}}
exit-prior: [{prior}]   # cumulative exit fractions on the held-out set at these thresholds
scheduling:
  policy: fluid
  queue: {{max-size: 256}}
warmup:
  sample: warmup-request.json   # a held-out "7" (an OIP request), run through every stage at every batch size before READY
"""

PLAIN_CONFIG = """\
# Written by models/training/ee_cnn.py (edit the script, not this file). See MODEL_CARD.md.
kind: plain
description: the full-depth path of ee-digits as one graph (no early exits), 10-class digit classifier
max-batch-size: 8
slo: 100ms
inputs:
  - {name: image, datatype: FP32, shape: [1, 32, 32]}
outputs:
  - {name: probabilities, datatype: FP32, shape: [10]}
scheduling:
  policy: work-conserving
  # no batching window: idle device starts at once; while busy, requests accumulate into the next batch
  queue: {max-size: 256}
"""


DESCRIPTIONS = {
    False: ("ResNet-style early-exit CNN, 4 exits, 32x32 grey camera crops of handwritten digits (10 classes)",
            "50ms"),
    # SLO: 3 x its full-depth batch-1 time on the edge-tpu-class profile (T_full(1) = 6.9 ms), the middle of
    # the R1 grid's SLO factors (2, 3, 5), as the live experiment uses.
    True: ("early-exit ResNet-18 (widths 64/128/256/512), 4 exits, 32x32 grey camera crops of handwritten "
           "digits (10 classes)", "21ms"),
}


def model_dir():
    return os.path.join(LIVE, "ee-resnet18-digits") if WIDE else os.path.join(common.REPO, "ee-digits")


def write_configs(metrics):
    cum, acc = [], 0.0
    for r in metrics["exit_rates"]:
        acc += r
        cum.append(round(min(acc, 1.0), 4))
    cum[-1] = 1.0
    desc, slo = DESCRIPTIONS[WIDE]
    with open(os.path.join(model_dir(), "config.yaml"), "w") as f:
        f.write(EE_CONFIG.format(t=metrics["threshold"], prior=", ".join(str(c) for c in cum), desc=desc, slo=slo))
    # The warm-up sample is the README's example request (a held-out "7").
    shutil.copy(os.path.join(common.REPO, "..", "..", "docs", "examples", "ee-digits-request.json"),
                os.path.join(model_dir(), "warmup-request.json"))
    if WIDE:
        return
    with open(os.path.join(common.REPO, "digits-cnn", "config.yaml"), "w") as f:
        f.write(PLAIN_CONFIG)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=70)
    ap.add_argument("--configs-only", action="store_true", help="rewrite config.yaml files from eval/metrics.json")
    ap.add_argument("--wide", action="store_true", help="ee-resnet18-digits (ResNet-18 widths) into models/live/")
    args = ap.parse_args()
    global WIDE, CHANNELS
    if args.wide:
        WIDE, CHANNELS = True, WIDE_CHANNELS
    if args.configs_only:
        import json
        with open(os.path.join(model_dir(), "eval", "metrics.json")) as f:
            write_configs(json.load(f))
        return
    common.seed_everything(SEED)
    timer = common.Timer()
    digits = load_digits()
    imgs = upscale(digits.data)
    labels = digits.target.astype(np.int64)
    idx = np.arange(len(labels))
    tr, rest = train_test_split(idx, test_size=0.4, stratify=labels, random_state=SEED)
    va, te = train_test_split(rest, test_size=0.5, stratify=labels[rest], random_state=SEED)
    backgrounds = load_backgrounds()
    rng_fixed = np.random.default_rng(SEED + 1)
    x_va, _ = degrade_all(imgs[va], rng_fixed, backgrounds)
    x_te, sev_te = degrade_all(imgs[te], rng_fixed, backgrounds)
    # The test set is committed as uint8; evaluate on exactly what is committed.
    x_te_u8 = np.round(x_te * 255).astype(np.uint8)
    x_te = x_te_u8.astype(np.float32) / 255.0

    net = EENet()
    opt = torch.optim.AdamW(net.parameters(), lr=3e-3, weight_decay=5e-4)
    steps_per_epoch = int(np.ceil(len(tr) / 64))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=args.epochs * steps_per_epoch)
    rng = np.random.default_rng(SEED + 2)
    weights = [1.0, 1.0, 1.0, 1.0]
    for epoch in range(args.epochs):
        net.train()
        x_tr, _ = degrade_all(imgs[tr], rng, backgrounds)
        perm = rng.permutation(len(tr))
        total = 0.0
        for b in range(steps_per_epoch):
            sel = perm[b * 64:(b + 1) * 64]
            xb = torch.from_numpy(x_tr[sel]).unsqueeze(1)
            yb = torch.from_numpy(labels[tr][sel])
            outs = net(xb)
            loss = sum(w * F.cross_entropy(o, yb) for w, o in zip(weights, outs))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        if epoch % 10 == 0 or epoch == args.epochs - 1:
            accs = [(p.argmax(1) == labels[va]).mean() for p in evaluate(net, x_va)]
            print(f"epoch {epoch} ({timer.minutes():.1f} min) loss {total / steps_per_epoch:.3f} val acc per exit "
                  + " ".join(f"{a:.3f}" for a in accs), flush=True)

    probs_va = evaluate(net, x_va)
    threshold = calibrate(probs_va, labels[va])
    probs_te = evaluate(net, x_te)
    y_te = labels[te]
    acc_exit = [float((p.argmax(1) == y_te).mean()) for p in probs_te]
    taken, preds = exit_decisions(probs_te, threshold)
    acc_ee = float((preds == y_te).mean())
    rates = [float((taken == e).mean()) for e in range(len(CHANNELS))]
    print("test accuracy per exit", acc_exit, "early-exit accuracy", acc_ee, "exit rates", rates,
          "threshold", threshold)

    # Export: per-stage graphs, per-exit heads, and the full-depth single graph.
    net.eval()
    fused_stages = [FusedStage(net, i).eval() for i in range(len(CHANNELS))]
    fused_heads = [FusedHead(h).eval() for h in net.heads]
    ee_dir = model_dir()
    version_dir = os.path.join(ee_dir, "1")
    x = torch.zeros(1, 1, SIZE, SIZE)
    with torch.no_grad():
        for i, (st, hd) in enumerate(zip(fused_stages, fused_heads)):
            in_name = "image" if i == 0 else f"features{i - 1}"
            common.export_onnx(st, x, os.path.join(version_dir, f"stage{i}.onnx"), in_name, f"features{i}")
            y = st(x)
            common.export_onnx(hd, y, os.path.join(version_dir, f"exit{i}.onnx"), f"features{i}", "probabilities")
            x = y
        full = FullDepth(fused_stages, fused_heads[-1]).eval()
        if not WIDE:
            common.export_onnx(full, torch.zeros(1, 1, SIZE, SIZE),
                               os.path.join(common.REPO, "digits-cnn", "1", "model.onnx"), "image", "probabilities")
        # Check the exported path agrees with the training graph.
        ref = torch.softmax(net(torch.from_numpy(x_te[:8]).unsqueeze(1))[-1], 1)
        got = full(torch.from_numpy(x_te[:8]).unsqueeze(1))
        assert torch.allclose(ref, got, atol=1e-4), "fused export differs from the trained network"

    # Committed evaluation data: the held-out test set (uint8) and the per-sample exit trace.
    for d in [ee_dir] + ([] if WIDE else [os.path.join(common.REPO, "digits-cnn")]):
        ev = os.path.join(d, "eval")
        os.makedirs(ev, exist_ok=True)
        x_te_u8.tofile(os.path.join(ev, "images-u8.bin"))
        y_te.astype(np.uint8).tofile(os.path.join(ev, "labels-u8.bin"))
    with open(os.path.join(ee_dir, "eval", "exit-trace.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["sample", "label", "severity"] + [f"conf{e}" for e in range(len(CHANNELS))]
                   + [f"pred{e}" for e in range(len(CHANNELS))] + ["exit", "correct"])
        for i in range(len(y_te)):
            w.writerow([i, int(y_te[i]), f"{sev_te[i]:.3f}"]
                       + [f"{probs_te[e][i].max():.5f}" for e in range(len(CHANNELS))]
                       + [int(probs_te[e][i].argmax()) for e in range(len(CHANNELS))]
                       + [int(taken[i]), int(preds[i] == y_te[i])])
    params = sum(p.numel() for p in net.parameters())
    metrics = {
        "test_samples": int(len(y_te)),
        "accuracy_per_exit": [round(a, 4) for a in acc_exit],
        "accuracy_full_depth": round(acc_exit[-1], 4),
        "accuracy_early_exit": round(acc_ee, 4),
        "exit_rates": [round(r, 4) for r in rates],
        "threshold": threshold,
        "parameters": int(params),
        "train_minutes": round(timer.minutes(), 1),
        "epochs": args.epochs,
    }
    common.write_json(os.path.join(ee_dir, "eval", "metrics.json"), metrics)
    write_configs(metrics)
    if WIDE:
        print(metrics)
        return
    common.write_json(os.path.join(common.REPO, "digits-cnn", "eval", "metrics.json"),
                      {"test_samples": int(len(y_te)), "accuracy": round(acc_exit[-1], 4),
                       "parameters": int(params), "train_minutes": round(timer.minutes(), 1)})
    print(metrics)


if __name__ == "__main__":
    main()
