"""Trains and exports the super-resolution networks sr-x2 and sr-x4 (Y channel, NPU-friendly).

Data: natural photographs that ship inside scikit-image (skimage/data) and scikit-learn
(datasets/images). Training uses patches of one set of images; a disjoint set of whole images is held out
for evaluation and never seen in training (see TRAIN and HELD_OUT). Work is on the luma (Y, BT.601 as
MATLAB's rgb2ycbcr) channel in [0, 1]; LR images are made by PIL's bicubic downscaling of the HR image
(cropped to a multiple of the scale).

Architecture (ESPCN/FSRCNN-style, sized for an edge NPU and for 8-bit quantisation): a 5x5 feature
convolution (32 ch), three 3x3 convolutions (16 ch) with ReLU, a 3x3 convolution to s^2 channels, plus a
5x5 skip convolution from the input to s^2 channels (nearest-neighbour upsampling); the sum goes through DepthToSpace(s) and a clip to [0, 1] (XLSR-style clipped output).
The skip is a fixed nearest-neighbour convolution: frozen, so its weights are exact at 8 bits (a learned skip
puts small sharpening taps next to a 1.0 centre tap, and per-channel int8 rounds them away: -0.55 dB).

Also writes the repository entry sr-x<s>-nawq (the same graph served in the NPU's integer arithmetic) with a
calibration set (calib/NN-lr.png, NN-hr.png): seeded crops of the *training* images, used by the NAWQ-SR
quantisation (activation ranges, the hybrid-precision search) so that no held-out image is seen.

Usage: python models/training/sr.py --scale 2 [--steps N]
"""
import argparse
import os
import shutil

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

import common

SEED = 11
TRAIN = ["camera", "brick", "grass", "gravel", "rocket", "stereo_motorcycle", "hubble_deep_field", "retina",
         "immunohistochemistry", "coins", "moon", "page", "text", "clock", "cell"]
HELD_OUT = ["astronaut", "chelsea", "coffee", "sklearn:china", "sklearn:flower"]


def load_image(name):
    if name.startswith("sklearn:"):
        from sklearn.datasets import load_sample_image
        return load_sample_image(name.split(":")[1] + ".jpg")
    import skimage.data as d
    img = getattr(d, name)()
    return img[0] if isinstance(img, tuple) else img


def to_y(img):
    """HxW or HxWx3 uint8 -> luma in [0, 1] (BT.601 studio range, as MATLAB rgb2ycbcr)."""
    x = img.astype(np.float64)
    if x.ndim == 2:
        return x / 255.0
    x = x[..., :3] / 255.0
    y = 16.0 + 65.481 * x[..., 0] + 128.553 * x[..., 1] + 24.966 * x[..., 2]
    return y / 255.0


def quantize8(x):
    return np.round(np.clip(x, 0, 1) * 255) / 255.0


def bicubic_down(y, scale):
    h, w = (y.shape[0] // scale) * scale, (y.shape[1] // scale) * scale
    hr = y[:h, :w]
    im = Image.fromarray((hr * 255).round().astype(np.uint8))
    lr = np.asarray(im.resize((w // scale, h // scale), Image.BICUBIC)).astype(np.float64) / 255.0
    return quantize8(hr), lr


def bicubic_up(lr, scale):
    im = Image.fromarray((lr * 255).round().astype(np.uint8))
    return np.asarray(im.resize((lr.shape[1] * scale, lr.shape[0] * scale), Image.BICUBIC)).astype(np.float64) / 255.0


def psnr(a, b, border):
    a = a[border:-border, border:-border]
    b = b[border:-border, border:-border]
    mse = np.mean((a - b) ** 2)
    return 10 * np.log10(1.0 / mse)


def ssim(a, b, border):
    from skimage.metrics import structural_similarity
    return structural_similarity(a[border:-border, border:-border], b[border:-border, border:-border], data_range=1.0)


class SRNet(nn.Module):
    def __init__(self, scale):
        super().__init__()
        self.scale = scale
        self.feat = nn.Conv2d(1, 32, 5, padding=2)
        self.shrink = nn.Conv2d(32, 16, 3, padding=1)
        self.mid = nn.ModuleList([nn.Conv2d(16, 16, 3, padding=1) for _ in range(2)])
        self.out = nn.Conv2d(16, scale * scale, 3, padding=1)
        self.skip = nn.Conv2d(1, scale * scale, 5, padding=2)
        with torch.no_grad():
            self.skip.weight.zero_()
            self.skip.weight[:, 0, 2, 2] = 1.0
            self.skip.bias.zero_()
            self.out.weight.mul_(0.1)
            self.out.bias.zero_()
        self.skip.requires_grad_(False)   # fixed nearest-neighbour upsampling: exact in 8-bit weights

    def forward(self, x):
        f = F.relu(self.feat(x))
        f = F.relu(self.shrink(f))
        for m in self.mid:
            f = F.relu(m(f))
        y = self.out(f) + self.skip(x)
        return torch.clamp(F.pixel_shuffle(y, self.scale), 0.0, 1.0)


def sample_batch(train_pairs, scale, rng, batch, lr_patch):
    xs, ys = [], []
    for _ in range(batch):
        hr, lr = train_pairs[rng.integers(len(train_pairs))]
        i = rng.integers(0, lr.shape[0] - lr_patch)
        j = rng.integers(0, lr.shape[1] - lr_patch)
        x = lr[i:i + lr_patch, j:j + lr_patch]
        y = hr[i * scale:(i + lr_patch) * scale, j * scale:(j + lr_patch) * scale]
        k = rng.integers(4)
        x, y = np.rot90(x, k), np.rot90(y, k)
        if rng.uniform() < 0.5:
            x, y = x[:, ::-1], y[:, ::-1]
        xs.append(x.copy())
        ys.append(y.copy())
    return (torch.from_numpy(np.stack(xs)[:, None].astype(np.float32)),
            torch.from_numpy(np.stack(ys)[:, None].astype(np.float32)))


def run(net, lr):
    with torch.no_grad():
        return net(torch.from_numpy(lr[None, None].astype(np.float32)))[0, 0].numpy().astype(np.float64)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, required=True, choices=[2, 4])
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--card-only", action="store_true", help="rewrite MODEL_CARD.md from eval/metrics.json")
    args = ap.parse_args()
    if args.card_only:
        import json
        d = os.path.join(common.REPO, f"sr-x{args.scale}")
        with open(os.path.join(d, "eval", "metrics.json")) as f:
            write_card(d, json.load(f))
        return
    s = args.scale
    common.seed_everything(SEED + s)
    timer = common.Timer()
    train_pairs = [bicubic_down(to_y(load_image(n)), s) for n in TRAIN]
    held = [(n, *bicubic_down(to_y(load_image(n)), s)) for n in HELD_OUT]
    net = SRNet(s)
    opt = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=1e-3)
    warmup = 500   # linear warm-up: a full-rate first step can kill every ReLU of the residual branch (x4)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda k: min(1.0, (k + 1) / warmup) * 0.5 * (1 + np.cos(np.pi * min(k, args.steps) / args.steps)))
    rng = np.random.default_rng(SEED)
    lr_patch = 48 // s
    for step in range(args.steps):
        x, y = sample_batch(train_pairs, s, rng, 16, lr_patch)
        loss = F.l1_loss(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 1000 == 0 or step == args.steps - 1:
            p = np.mean([psnr(run(net, lr), hr, s) for _, hr, lr in held])
            print(f"step {step} loss {loss.item():.4f} held-out PSNR {p:.2f}", flush=True)

    net.eval()
    rows = []
    for name, hr, lr in held:
        sr = quantize8(run(net, lr))
        bic = bicubic_up(lr, s)
        rows.append({"image": name, "size": f"{hr.shape[1]}x{hr.shape[0]}",
                     "psnr_sr": round(psnr(sr, hr, s), 3), "psnr_bicubic": round(psnr(bic, hr, s), 3),
                     "ssim_sr": round(ssim(sr, hr, s), 4), "ssim_bicubic": round(ssim(bic, hr, s), 4)})
        print(rows[-1])
    name = f"sr-x{s}"
    d = os.path.join(common.REPO, name)
    common.export_onnx(net, torch.zeros(1, 1, 32, 32), os.path.join(d, "1", "model.onnx"), "lr", "sr",
                       extra_dynamic={"lr": {2: "height", 3: "width"}, "sr": {2: "height_out", 3: "width_out"}})
    ev = os.path.join(d, "eval")
    os.makedirs(ev, exist_ok=True)
    for n, hr, lr in held:
        tag = n.replace("sklearn:", "")
        Image.fromarray((lr * 255).round().astype(np.uint8)).save(os.path.join(ev, f"{tag}-lr.png"))
        Image.fromarray((hr * 255).round().astype(np.uint8)).save(os.path.join(ev, f"{tag}-hr.png"))
    write_nawq_entry(d, train_pairs, s)
    metrics = {
        "scale": s,
        "held_out": rows,
        "mean_psnr_sr": round(float(np.mean([r["psnr_sr"] for r in rows])), 3),
        "mean_psnr_bicubic": round(float(np.mean([r["psnr_bicubic"] for r in rows])), 3),
        "mean_ssim_sr": round(float(np.mean([r["ssim_sr"] for r in rows])), 4),
        "mean_ssim_bicubic": round(float(np.mean([r["ssim_bicubic"] for r in rows])), 4),
        "parameters": int(sum(p.numel() for p in net.parameters())),
        "steps": args.steps,
        "train_minutes": round(timer.minutes(), 1),
    }
    common.write_json(os.path.join(ev, "metrics.json"), metrics)
    with open(os.path.join(d, "config.yaml"), "w") as f:
        f.write(CONFIG.format(s=s))
    write_card(d, metrics)
    print(metrics)


CALIB_CROPS = 32
CALIB_LR = 40


def write_nawq_entry(d, train_pairs, s):
    """The repository entry sr-x{s}-nawq: the same graph served in the NPU's integer arithmetic, its config and
    its calibration set (seeded LR/HR crops of the training images: two per image, then more from the first
    ones). Its hybrid-precision configurations (hpq/) are written by the Java `nawq-search` command."""
    q = d + "-nawq"
    os.makedirs(os.path.join(q, "1"), exist_ok=True)
    shutil.copyfile(os.path.join(d, "1", "model.onnx"), os.path.join(q, "1", "model.onnx"))
    with open(os.path.join(q, "config.yaml"), "w") as f:
        f.write(NAWQ_CONFIG.format(s=s))
    cal = os.path.join(q, "calib")
    os.makedirs(cal, exist_ok=True)
    rng = np.random.default_rng(SEED + 100 * s)
    for k in range(CALIB_CROPS):
        hr, lr = train_pairs[k % len(train_pairs)]
        i = rng.integers(0, lr.shape[0] - CALIB_LR)
        j = rng.integers(0, lr.shape[1] - CALIB_LR)
        x = lr[i:i + CALIB_LR, j:j + CALIB_LR]
        y = hr[i * s:(i + CALIB_LR) * s, j * s:(j + CALIB_LR) * s]
        Image.fromarray((x * 255).round().astype(np.uint8)).save(os.path.join(cal, f"{k:02d}-lr.png"))
        Image.fromarray((y * 255).round().astype(np.uint8)).save(os.path.join(cal, f"{k:02d}-hr.png"))


def write_card(d, m):
    s = m["scale"]
    rows = "\n".join(
        f"| {r['image'].replace('sklearn:', '')} | {r['size']} | {r['psnr_bicubic']:.2f} / {r['ssim_bicubic']:.4f} | "
        f"**{r['psnr_sr']:.2f} / {r['ssim_sr']:.4f}** | {r['psnr_sr'] - r['psnr_bicubic']:+.2f} dB |" for r in m["held_out"])
    gain = m["mean_psnr_sr"] - m["mean_psnr_bicubic"]
    with open(os.path.join(d, "MODEL_CARD.md"), "w") as f:
        f.write(CARD.format(s=s, s2=s * s, rows=rows, gain=gain, **m))


CARD = """# sr-x{s} — x{s} super-resolution of the luma channel

**What it does.** Upscales a low-resolution luma (Y) image x{s}: input `lr` FP32 [N, 1, H, W] in [0, 1],
output `sr` FP32 [N, 1, {s}H, {s}W] in [0, 1] (H and W are free; requests of different sizes are batched by
size). Colour images: super-resolve Y, upscale Cb/Cr bicubically.

**Data.** Natural photographs that ship inside pip packages: training patches come from scikit-image's
`camera, brick, grass, gravel, rocket, stereo_motorcycle, hubble_deep_field, retina, immunohistochemistry,
coins, moon, page, text, clock, cell`; the **held-out** whole images, never seen in training, are
scikit-image's `astronaut, chelsea, coffee` and scikit-learn's `china, flower`. Y is BT.601 (as MATLAB's
rgb2ycbcr); LR = PIL bicubic downscaling of the 8-bit HR image (cropped to a multiple of {s}), stored as
8-bit. The held-out LR/HR pairs are committed in `eval/` as PNG.

**Architecture (NPU-minded).** ESPCN/FSRCNN-style: 5x5 conv 1->32, 3x3 conv 32->16, two 3x3 convs 16->16
(ReLU after each), a 3x3 conv to {s2} channels, plus a fixed 5x5 skip convolution from the input to {s2}
channels (nearest-neighbour upsampling, not trained: exact in 8-bit weights); the sum goes through DepthToSpace({s}) and a clip to
[0, 1] (the clipped output XLSR uses for 8-bit robustness). {parameters} parameters; convolutions, ReLU, one
add, DepthToSpace and a clip: every layer maps onto an 8/16-bit NPU.

**Training.** `python models/training/sr.py --scale {s}`: {steps} steps of 16 random patches (48x48 HR),
flips and rotations, L1 loss, Adam 1e-3 with a 500-step warm-up and cosine decay; {train_minutes} minutes on one CPU thread. Seeded;
a re-run reproduces the PSNR below within about 0.05 dB.

**Metrics** (held-out images, Y channel, border of {s} px cropped, output rounded to 8 bits;
`eval/metrics.json`):

| image | HR size | bicubic PSNR / SSIM | sr-x{s} PSNR / SSIM | gain |
|---|---|---|---|---|
{rows}
| **mean** | | {mean_psnr_bicubic:.2f} / {mean_ssim_bicubic:.4f} | **{mean_psnr_sr:.2f} / {mean_ssim_sr:.4f}** | **{gain:+.2f} dB** |

Bicubic here is PIL's, not MATLAB's `imresize`, so absolute numbers are not comparable with papers' Set5 or
Set14 tables (no such data ships offline); the gain over the same bicubic is.

**Known limits.** Trained on 15 images: textures unlike them (e.g. `china`, dense foliage and roofs) gain
least. FP32 numbers here; the same graph in the NPU's 8/16-bit integer arithmetic is served as
`sr-x{s}-nawq` and measured in `docs/results/nawq-sr` (8-bit weights cost under 0.01 dB: the skip is exact).

`ShippedModelsAccuracyTest` recomputes the PSNR of a committed held-out image through ONNX Runtime and checks
it against this card.
"""


CONFIG = """\
# Written by models/training/sr.py (edit the script, not this file). See MODEL_CARD.md.
kind: plain
description: x{s} super-resolution of the luma (Y) channel, ESPCN-style with a fixed nearest-neighbour skip, clipped output
max-batch-size: 4
slo: 500ms
inputs:
  - {{name: lr, datatype: FP32, shape: [1, -1, -1]}}    # low-resolution Y in [0, 1]
outputs:
  - {{name: sr, datatype: FP32, shape: [1, -1, -1]}}    # x{s} Y in [0, 1]
scheduling:
  policy: work-conserving
  queue: {{max-size: 64}}
"""

NAWQ_CONFIG = """\
# Written by models/training/sr.py (edit the script, not this file). See ../sr-x{s}/MODEL_CARD.md and
# docs/results/nawq-sr. The graph is sr-x{s}'s, run in the NPU's 8/16-bit integer arithmetic; hpq/ holds its
# hybrid-precision configurations (written by `nawq-search`), calib/ its calibration set.
kind: nawq-sr
description: x{s} super-resolution of 8-bit luma in the NPU's integer arithmetic (NAWQ-SR); image tiles are the device's samples
max-batch-size: 4           # tiles per device batch (each holds the emulated device for its host compute)
slo: 5s                     # host compute of the emulated integer tiles: est. ~2.7 s for a 512x512 image here (4x a 256x256 one's 355 ms x 1.9 for the halos)
inputs:
  - {{name: image, datatype: UINT8, shape: [1, -1, -1]}}      # low-resolution Y, 0..255
outputs:
  - {{name: image_sr, datatype: UINT8, shape: [1, -1, -1]}}   # x{s} Y, 0..255
scheduling:
  policy: work-conserving
  queue: {{max-size: 4096}}   # tiles
"""

if __name__ == "__main__":
    main()
