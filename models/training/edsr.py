"""Trains and exports edsr-x2: an RGB super-resolution network in the EDSR-baseline style (Lim et al., 2017).

Why: the converted UpscalerJS networks (models/convert/esrgan.py) lose less than 0.3 dB at all-A8W8 (see
docs/results/nawq-sr/screening.csv), so NAWQ-SR would have nothing to fix on them. EDSR-baseline is the
standard residual SR network: a 3x3 head convolution, residual blocks (conv-ReLU-conv plus identity, no batch
norm), a body convolution, a *learned* global skip (head features + body output), an upsampler (conv to 4F
channels + PixelShuffle(2)) and a 3x3 output convolution, with no output clip and no frozen weights.
Scaled to 2 CPU cores: F = 64 features, B = 8 residual blocks (the paper's baseline: 64 and 16), and no
MeanShift layers (the network learns the offsets in its biases).

Data: the same split as sr.py: patches of the scikit-image TRAIN images (grey ones replicated to RGB);
the held-out images (astronaut, chelsea, coffee, sklearn china, flower) are never seen. LR = PIL bicubic
downscaling of the 8-bit HR image. Loss L1 (as EDSR), Adam, cosine schedule with warm-up.

Trained on [0, 1]; exported to map RGB [0, 255] -> [0, 255] like the UpscalerJS models: a network of
convolutions, ReLU, adds and PixelShuffle is positively homogeneous in (input, biases), so multiplying every
bias by 255 scales the whole function exactly.

Usage: python models/training/edsr.py [--steps N] [--minutes M]
"""
import argparse
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import common
import sr

SEED = 21
SCALE = 2
FEATURES = 64
BLOCKS = 8


class Block(nn.Module):
    def __init__(self, f):
        super().__init__()
        self.c1 = nn.Conv2d(f, f, 3, padding=1)
        self.c2 = nn.Conv2d(f, f, 3, padding=1)

    def forward(self, x):
        return x + self.c2(F.relu(self.c1(x)))


class Edsr(nn.Module):
    def __init__(self, scale=SCALE, f=FEATURES, blocks=BLOCKS):
        super().__init__()
        self.head = nn.Conv2d(3, f, 3, padding=1)
        self.body = nn.Sequential(*[Block(f) for _ in range(blocks)])
        self.body_out = nn.Conv2d(f, f, 3, padding=1)
        self.up = nn.Conv2d(f, f * scale * scale, 3, padding=1)
        self.shuffle = nn.PixelShuffle(scale)
        self.tail = nn.Conv2d(f, 3, 3, padding=1)

    def forward(self, x):
        h = self.head(x)
        y = h + self.body_out(self.body(h))
        return self.tail(self.shuffle(self.up(y)))


def rgb(img):
    img = img[..., :3] if img.ndim == 3 else np.repeat(img[..., None], 3, axis=2)
    return img.astype(np.float64) / 255.0


def pairs(names, s):
    out = []
    for n in names:
        x = rgb(sr.load_image(n))
        h, w = (x.shape[0] // s) * s, (x.shape[1] // s) * s
        hr = x[:h, :w]
        from PIL import Image
        lr = np.asarray(Image.fromarray((hr * 255).round().astype(np.uint8)).resize((w // s, h // s), Image.BICUBIC))
        out.append((np.round(hr * 255) / 255, lr.astype(np.float64) / 255))
    return out


def batch(train, s, rng, n, patch):
    xs, ys = [], []
    for _ in range(n):
        hr, lr = train[rng.integers(len(train))]
        i, j = rng.integers(0, lr.shape[0] - patch), rng.integers(0, lr.shape[1] - patch)
        x, y = lr[i:i + patch, j:j + patch], hr[i * s:(i + patch) * s, j * s:(j + patch) * s]
        k = rng.integers(4)
        x, y = np.rot90(x, k), np.rot90(y, k)
        if rng.uniform() < 0.5:
            x, y = x[:, ::-1], y[:, ::-1]
        xs.append(x.transpose(2, 0, 1).copy())
        ys.append(y.transpose(2, 0, 1).copy())
    return torch.from_numpy(np.stack(xs).astype(np.float32)), torch.from_numpy(np.stack(ys).astype(np.float32))


def infer(net, lr):
    with torch.no_grad():
        x = torch.from_numpy(lr.transpose(2, 0, 1)[None].astype(np.float32))
        return net(x)[0].numpy().transpose(1, 2, 0).astype(np.float64)


def psnr_rgb(a, b, border):
    a = np.clip(np.round(a * 255), 0, 255)[border:-border, border:-border]
    b = np.round(b * 255)[border:-border, border:-border]
    return 10 * np.log10(255.0 ** 2 / np.mean((a - b) ** 2))


def mark_pixel_range(path):
    """Declares RGB in [0, 255] in the ONNX file's metadata (the NPU emulator reads `pixel_max`)."""
    import onnx
    m = onnx.load(path)
    onnx.helper.set_model_props(m, {"pixel_max": "255"})
    onnx.save(m, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=6000)
    ap.add_argument("--minutes", type=float, default=55.0, help="stop early (cosine schedule cut) after this long")
    args = ap.parse_args()
    s = SCALE
    common.seed_everything(SEED)
    timer = common.Timer()
    train = pairs(sr.TRAIN, s)
    held = [(n, *p) for n, p in zip(sr.HELD_OUT, pairs(sr.HELD_OUT, s))]
    net = Edsr()
    opt = torch.optim.Adam(net.parameters(), lr=5e-4)
    warmup = 200
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda k: min(1.0, (k + 1) / warmup) * 0.5 * (1 + np.cos(np.pi * min(k, args.steps) / args.steps)))
    rng = np.random.default_rng(SEED)
    done = 0
    for step in range(args.steps):
        x, y = batch(train, s, rng, 16, 32)
        loss = F.l1_loss(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        done = step + 1
        if step % 250 == 0 or step == args.steps - 1:
            p = np.mean([psnr_rgb(infer(net, lr[:128, :128]), hr[:256, :256], s) for _, hr, lr in held])
            print(f"step {step} loss {loss.item():.4f} held-out PSNR (RGB, 256px corner) {p:.2f} "
                  f"{timer.minutes():.1f} min", flush=True)
        if timer.minutes() > args.minutes:
            print(f"time limit: stopping after {done} steps", flush=True)
            break
    net.eval()
    with torch.no_grad():  # [0, 1] -> [0, 255]: scale every bias (exact, see the module docstring)
        for m in net.modules():
            if isinstance(m, nn.Conv2d):
                m.bias.mul_(255.0)
    d = os.path.join(common.REPO, f"edsr-x{s}")
    common.export_onnx(net, torch.zeros(1, 3, 32, 32), os.path.join(d, "1", "model.onnx"), "lr", "sr",
                       dynamic_batch=False,
                       extra_dynamic={"lr": {2: "height", 3: "width"}, "sr": {2: "height_out", 3: "width_out"}})
    mark_pixel_range(os.path.join(d, "1", "model.onnx"))
    common.write_json(os.path.join(d, "training.json"), {
        "scale": s, "features": FEATURES, "blocks": BLOCKS, "steps_planned": args.steps, "steps_done": done,
        "batch": 16, "lr_patch": 32, "parameters": int(sum(p.numel() for p in net.parameters())),
        "train_minutes": round(timer.minutes(), 1), "seed": SEED, "threads": torch.get_num_threads()})
    print("exported", d)


if __name__ == "__main__":
    main()
