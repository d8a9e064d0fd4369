"""Repository entries for the RGB super-resolution networks (esrgan-slim-x2, esrgan-slim-x4, edsr-x2).

For a network whose ONNX graph is already in models/repository/<name>/1/model.onnx (written by esrgan.py or
models/training/edsr.py), this script writes
- <name>/config.yaml: served in FP32 on ONNX Runtime (RGB [0, 255] float in and out);
- <name>/eval/: the held-out evaluation pairs, <image>-hr.png / <image>-lr.png: a centred 256x256 crop of
  each held-out image (scikit-image astronaut, chelsea, coffee; scikit-learn china, flower) and its PIL
  bicubic downscaling (as sr.py). None of them is used for calibration or search, and none is in DIV2K,
  the upstream networks' training set;
- <name>/eval/metrics.json: FP32 (ONNX Runtime) and bicubic PSNR on RGB and on Y (BT.601), SSIM on Y,
  border = scale, outputs rounded to 8 bits;
- <name>-nawq/: the same graph served in the NPU's integer arithmetic (config.yaml, 1/model.onnx) with its
  calibration set calib/NN-lr.png, NN-hr.png: seeded 32x32 low-resolution crops of sr.py's *training*
  images (grey ones as grey RGB), never a held-out one. Its hybrid-precision configurations (hpq/) are
  written by the Java `nawq-search` command;
- <name>/MODEL_CARD.md.

Usage: python models/convert/sr_entries.py esrgan-slim-x2 [esrgan-slim-x4 edsr-x2 ...]
"""
import json
import os
import shutil
import sys

import numpy as np
import onnxruntime as ort
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "training"))
import sr  # noqa: E402  (image lists and loaders shared with the luma networks)

REPO = os.path.normpath(os.path.join(HERE, "..", "repository"))
EVAL_HR = 256
CALIB_CROPS = 16
CALIB_LR = 32
SEED = 31


def rgb_u8(img):
    return img[..., :3] if img.ndim == 3 else np.repeat(img[..., None], 3, axis=2)


def eval_pair(name, s):
    img = rgb_u8(sr.load_image(name))
    h, w = img.shape[:2]
    y0, x0 = (h - EVAL_HR) // 2, (w - EVAL_HR) // 2
    hr = img[y0:y0 + EVAL_HR, x0:x0 + EVAL_HR]
    lr = np.asarray(Image.fromarray(hr).resize((EVAL_HR // s, EVAL_HR // s), Image.BICUBIC))
    return hr, lr


def y_of(rgb):
    x = rgb.astype(np.float64) / 255.0
    return (16.0 + 65.481 * x[..., 0] + 128.553 * x[..., 1] + 24.966 * x[..., 2]) / 255.0


def psnr(a, b, border, peak):
    a, b = a[border:-border, border:-border], b[border:-border, border:-border]
    return float(10 * np.log10(peak ** 2 / np.mean((a.astype(np.float64) - b) ** 2)))


def ssim_y(a, b, border):
    from skimage.metrics import structural_similarity
    return float(structural_similarity(y_of(a)[border:-border, border:-border],
                                       y_of(b)[border:-border, border:-border], data_range=1.0))


DEGRADATIONS = ["BICUBIC", "BILINEAR", "BOX", "LANCZOS", "NEAREST"]


def degradations(session, s):
    """Mean RGB PSNR of FP32 and of bicubic upscaling over the held-out crops when the LR image is made with
    each of PIL's downscaling filters: is a gap to bicubic the network's or the degradation's?"""
    out = {}
    for filt in DEGRADATIONS:
        net, bic = [], []
        for n in sr.HELD_OUT:
            hr, _ = eval_pair(n, s)
            lr = np.asarray(Image.fromarray(hr).resize((EVAL_HR // s, EVAL_HR // s), getattr(Image, filt)))
            o = session.run(None, {"lr": lr.transpose(2, 0, 1)[None].astype(np.float32)})[0][0]
            net.append(psnr(np.clip(np.round(o.transpose(1, 2, 0)), 0, 255), hr, s, 255.0))
            bic.append(psnr(np.asarray(Image.fromarray(lr).resize((EVAL_HR, EVAL_HR), Image.BICUBIC)), hr, s, 255.0))
        out[filt.lower()] = {"psnr_rgb_fp32": round(float(np.mean(net)), 3),
                             "psnr_rgb_bicubic": round(float(np.mean(bic)), 3)}
    return out


def scale_of(session):
    x = np.zeros((1, 3, 8, 8), np.float32)
    return session.run(None, {"lr": x})[0].shape[2] // 8


def write_entry(name):
    d = os.path.join(REPO, name)
    onnx_path = os.path.join(d, "1", "model.onnx")
    session = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    s = scale_of(session)
    ev = os.path.join(d, "eval")
    os.makedirs(ev, exist_ok=True)
    rows = []
    for n in sr.HELD_OUT:
        tag = n.replace("sklearn:", "")
        hr, lr = eval_pair(n, s)
        Image.fromarray(hr).save(os.path.join(ev, f"{tag}-hr.png"))
        Image.fromarray(lr).save(os.path.join(ev, f"{tag}-lr.png"))
        out = session.run(None, {"lr": lr.transpose(2, 0, 1)[None].astype(np.float32)})[0][0]
        net = np.clip(np.round(out.transpose(1, 2, 0)), 0, 255).astype(np.uint8)
        bic = np.asarray(Image.fromarray(lr).resize((EVAL_HR, EVAL_HR), Image.BICUBIC))
        rows.append({
            "image": tag,
            "psnr_rgb_fp32": round(psnr(net, hr, s, 255.0), 3),
            "psnr_rgb_bicubic": round(psnr(bic, hr, s, 255.0), 3),
            "psnr_y_fp32": round(psnr(y_of(net), y_of(hr), s, 1.0), 3),
            "psnr_y_bicubic": round(psnr(y_of(bic), y_of(hr), s, 1.0), 3),
            "ssim_y_fp32": round(ssim_y(net, hr, s), 4),
            "ssim_y_bicubic": round(ssim_y(bic, hr, s), 4),
        })
    keys = [k for k in rows[0] if k != "image"]
    metrics = {"scale": s, "eval_hr": EVAL_HR, "held_out": rows,
               "mean": {k: round(float(np.mean([r[k] for r in rows])), 4) for k in keys},
               "degradations": degradations(session, s)}
    with open(os.path.join(ev, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
        f.write("\n")
    with open(os.path.join(d, "config.yaml"), "w") as f:
        f.write(CONFIG.format(name=name, s=s))
    write_nawq(name, s)
    write_card(name, s, metrics)
    print(name, metrics["mean"])
    return metrics


def table(metrics):
    rows = []
    for r in metrics["held_out"] + [dict(image="**mean**", **metrics["mean"])]:
        rows.append(f"| {r['image']} | {r['psnr_rgb_bicubic']:.2f} | {r['psnr_rgb_fp32']:.2f} | "
                    f"{r['psnr_rgb_fp32'] - r['psnr_rgb_bicubic']:+.2f} | {r['psnr_y_bicubic']:.2f} | "
                    f"{r['psnr_y_fp32']:.2f} | {r['psnr_y_fp32'] - r['psnr_y_bicubic']:+.2f} | "
                    f"{r['ssim_y_bicubic']:.4f} / {r['ssim_y_fp32']:.4f} |")
    return "\n".join(rows)


def write_card(name, s, metrics):
    d = os.path.join(REPO, name)
    conversion = os.path.join(d, "conversion.json")
    training = os.path.join(d, "training.json")
    if os.path.exists(conversion):
        with open(conversion) as f:
            c = json.load(f)
        deg = "; ".join(f"{k} {v['psnr_rgb_fp32'] - v['psnr_rgb_bicubic']:+.2f} dB"
                        for k, v in metrics["degradations"].items())
        origin = ORIGIN_CONVERTED.format(
            deg=deg, rgb=metrics["mean"]["psnr_rgb_fp32"] - metrics["mean"]["psnr_rgb_bicubic"],
            y=metrics["mean"]["psnr_y_fp32"] - metrics["mean"]["psnr_y_bicubic"],
            source=c["source"], tarball=c["tarball"], sha=c["tarball_sha256"], params=c["parameters"],
            layers=", ".join(f"{v} {k}" for k, v in c["layers"].items() if k != "InputLayer"),
            numpy=max(c["numpy_check_max_abs_diff_over_255"].values()),
            sample_max=c["upstream_sample"]["max_abs_diff_8bit"],
            sample_mean=c["upstream_sample"]["mean_abs_diff_8bit"], s=s)
    else:
        with open(training) as f:
            t = json.load(f)
        origin = ORIGIN_TRAINED.format(**t)
    with open(os.path.join(d, "MODEL_CARD.md"), "w") as f:
        f.write(CARD.format(name=name, s=s, origin=origin, rows=table(metrics), hr=EVAL_HR))


CARD = """# {name}: x{s} super-resolution of RGB images

**What it does.** Upscales an RGB image x{s}. Served twice: `{name}` runs the ONNX graph in FP32 on ONNX
Runtime (input `lr` FP32 [N, 3, H, W], RGB in 0..255; output `sr` FP32 [N, 3, {s}H, {s}W], 0..255, not
clipped: clip and round for an 8-bit image), and `{name}-nawq` runs the same graph in the emulated NPU's
8/16-bit integer arithmetic (NAWQ-SR: UINT8 RGB planes in and out, through OIP infer or
`POST /v2/models/{name}-nawq/upscale` with a PNG/JPEG). The ONNX file declares `metadata_props`
`pixel_max = 255`, which the emulator reads.

{origin}

**Evaluation** (`eval/`, written by `python models/convert/sr_entries.py {name}`): a centred {hr}x{hr} crop of
each held-out image (scikit-image's `astronaut`, `chelsea`, `coffee`; scikit-learn's `china`, `flower`),
downscaled x{s} with PIL's bicubic filter; none of them is used for calibration or the precision search.
PSNR on RGB and on Y (BT.601), SSIM on Y, a border of {s} px cropped, outputs rounded to 8 bits; FP32 is
ONNX Runtime's output (`eval/metrics.json`).

| image | bicubic RGB | FP32 RGB | gain | bicubic Y | FP32 Y | gain | SSIM Y bicubic / FP32 |
|---|---|---|---|---|---|---|---|
{rows}

**Quantisation.** The integer-path results (all-A16W8, all-A8W8, the searched hybrid configurations and the
runtime codec) are in `docs/results/nawq-sr/`; the calibration set is `../{name}-nawq/calib/` (16 seeded
32x32 low-resolution crops of the training-side images of `models/training/sr.py`).
"""

ORIGIN_CONVERTED = """**Origin.** Weights and topology from {source} ({tarball},
SHA-256 `{sha}`), MIT licence, (c) 2022 Kevin Scott (the licence ships beside this card as `LICENSE.upstream`).
UpscalerJS's ESRGAN models are residual-dense networks (RDN; the package calls the family "ESRGAN") trained by
upstream on DIV2K; upstream publishes sample outputs but no PSNR figure in the package. {params} parameters;
{layers}.

**Conversion** (`bash models/convert/fetch_esrgan.sh && python models/convert/esrgan.py`, `conversion.json`):
the tarball's `model.json` (Keras functional topology, weight manifest) and weight shard are rebuilt directly as
an ONNX graph (NCHW; kernels HWIO -> OIHW; `same` padding -> symmetric k//2; Concatenate -> Concat on
channels; UpSampling2D nearest -> Resize nearest/asymmetric/floor). Checks: ONNX Runtime against an
independent NumPy (float64, NHWC) implementation of the Keras layers, max |difference| / 255 = {numpy:.1e}
(tolerance 1e-4); and against upstream's own sample (the package's `assets/fixture.png` upscaled by UpscalerJS,
`assets/samples/{s}x/result.png`): max difference {sample_max:.0f} of 255, mean {sample_mean:.4f}.

**Known gap: it does not beat bicubic here.** Mean over the held-out crops, FP32 minus bicubic:
{rgb:+.2f} dB on RGB, {y:+.2f} dB on Y (table below). With the LR image made by each of PIL's downscaling
filters instead (`degradations` in `eval/metrics.json`, RGB): {deg}; so the gap is not our choice of
degradation. The conversion reproduces upstream's own output to within one 8-bit level, so the gap is the
network's, not the conversion's: these are
latency-first browser models (upstream: "minimize latency without compromising quality") and, as far as the
package shows, not trained to maximise PSNR against bicubic LR. Upstream reports no PSNR margin over bicubic
to compare with."""

ORIGIN_TRAINED = """**Origin.** Trained here by `python models/training/edsr.py` (EDSR-baseline style: a 3x3 head,
{blocks} residual blocks of {features} features (conv-ReLU-conv plus identity, no batch norm), a body convolution, a learned
global skip, conv + PixelShuffle(2) upsampling and a 3x3 output convolution; no output clip, nothing frozen,
no MeanShift). {parameters} parameters. Data: patches of the training-side images of `models/training/sr.py`
(scikit-image's camera, brick, grass, gravel, rocket, stereo_motorcycle, hubble_deep_field, retina,
immunohistochemistry, coins, moon, page, text, clock, cell; grey ones as grey RGB), LR by PIL bicubic;
{steps_done} steps of batch {batch} ({lr_patch}x{lr_patch} LR patches; {steps_planned} planned, cut by the script's
55-minute limit, so the cosine schedule had not fully decayed), L1 loss, Adam, seed {seed}, {train_minutes}
minutes on {threads} CPU threads (while other work shared the machine). Trained on [0, 1] and exported for [0, 255] by
scaling every bias by 255 (exact for this network of convolutions, ReLU, adds and pixel moves)."""



def write_nawq(name, s):
    q = os.path.join(REPO, name + "-nawq")
    os.makedirs(os.path.join(q, "1"), exist_ok=True)
    shutil.copyfile(os.path.join(REPO, name, "1", "model.onnx"), os.path.join(q, "1", "model.onnx"))
    with open(os.path.join(q, "config.yaml"), "w") as f:
        f.write(NAWQ_CONFIG.format(name=name, s=s))
    cal = os.path.join(q, "calib")
    shutil.rmtree(cal, ignore_errors=True)
    os.makedirs(cal)
    rng = np.random.default_rng(SEED + s)
    for k in range(CALIB_CROPS):
        img = rgb_u8(sr.load_image(sr.TRAIN[k % len(sr.TRAIN)]))
        h, w = (img.shape[0] // s) * s, (img.shape[1] // s) * s
        hr_full = img[:h, :w]
        lr_full = np.asarray(Image.fromarray(hr_full).resize((w // s, h // s), Image.BICUBIC))
        i = rng.integers(0, lr_full.shape[0] - CALIB_LR)
        j = rng.integers(0, lr_full.shape[1] - CALIB_LR)
        Image.fromarray(lr_full[i:i + CALIB_LR, j:j + CALIB_LR]).save(os.path.join(cal, f"{k:02d}-lr.png"))
        Image.fromarray(hr_full[i * s:(i + CALIB_LR) * s, j * s:(j + CALIB_LR) * s]).save(
            os.path.join(cal, f"{k:02d}-hr.png"))


CONFIG = """# Written by models/convert/sr_entries.py (edit the script, not this file). See MODEL_CARD.md.
kind: plain
description: x{s} super-resolution of RGB images ({name}), FP32 on ONNX Runtime
max-batch-size: 1
slo: 10s                    # ONNX Runtime on 2 cores: well under a second for 128x128, seconds for 512x512
inputs:
  - {{name: lr, datatype: FP32, shape: [3, -1, -1]}}    # low-resolution RGB, 0..255
outputs:
  - {{name: sr, datatype: FP32, shape: [3, -1, -1]}}    # x{s} RGB, 0..255 (unclipped)
scheduling:
  policy: work-conserving
  queue: {{max-size: 64}}
"""

NAWQ_CONFIG = """# Written by models/convert/sr_entries.py (edit the script, not this file). See ../{name}/MODEL_CARD.md and
# docs/results/nawq-sr. The graph is {name}'s, run in the NPU's 8/16-bit integer arithmetic; hpq/ holds its
# hybrid-precision configurations (written by `nawq-search`), calib/ its calibration set.
kind: nawq-sr
description: x{s} super-resolution of 8-bit RGB in the NPU's integer arithmetic (NAWQ-SR); image tiles are the device's samples
max-batch-size: 4           # tiles per device batch
slo: 120s                   # host compute of the emulated integer tiles (Java integer kernels): edsr-x2 about 6 s
                            # for a 128x128 image on 2 cores, about 80 s for 512x512; esrgan-slim about 3x faster
inputs:
  - {{name: image, datatype: UINT8, shape: [3, -1, -1]}}      # low-resolution RGB planes, 0..255
outputs:
  - {{name: image_sr, datatype: UINT8, shape: [3, -1, -1]}}   # x{s} RGB planes, 0..255
scheduling:
  policy: work-conserving
  queue: {{max-size: 4096}}   # tiles
"""


if __name__ == "__main__":
    for n in sys.argv[1:]:
        write_entry(n)
