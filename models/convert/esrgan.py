"""Converts UpscalerJS's ESRGAN (RDN) super-resolution models from TF.js Layers format to ONNX.

Input: the npm tarballs fetched and checked by fetch_esrgan.sh (models/convert/.npm/). For each network
(e.g. slim x2) this script
1. reads `package/models/x<s>/model.json` (Keras functional topology + weight manifest) and the weight
   shards from the tarball, without unpacking it;
2. builds the same network directly as an ONNX graph (NCHW): Conv2D -> Conv (kernel HWIO -> OIHW, 'same'
   padding -> symmetric k//2), Activation/activation 'relu' -> Relu, Concatenate (channel axis) -> Concat,
   Add -> Add, UpSampling2D (nearest) -> Resize (nearest, asymmetric, floor: exact pixel replication);
3. checks ONNX Runtime's output against an independent NumPy (float64, NHWC, the Keras layout) implementation
   of the same layers, on a random image and on a crop of a real one: max |difference| / 255 <= 1e-4;
4. checks the conversion against upstream's own published output: the package's sample
   (assets/fixture.png -> assets/samples/<s>x/result.png, produced by UpscalerJS in TF.js) must be reproduced
   to within 8-bit rounding;
5. writes models/repository/<name>/1/model.onnx, the licence beside it, and conversion.json (checksums and the
   figures of steps 3-4).

Input and output are RGB in [0, 255] (UpscalerJS's inputRange/outputRange for the RDN models), unclipped.

Usage: python models/convert/esrgan.py [--only esrgan-slim-x2]
"""
import argparse
import hashlib
import io
import json
import os
import tarfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "repository"))
NPM = os.path.join(HERE, ".npm")
VERSION = "1.0.0"
# (repository name, package size, scale)
NETWORKS = [("esrgan-slim-x2", "slim", 2), ("esrgan-slim-x4", "slim", 4)]  # medium: screened only (screen_quant.py)
TOLERANCE = 1e-4  # max |ONNX Runtime - NumPy| / 255


def tarball(size):
    return os.path.join(NPM, f"upscalerjs-esrgan-{size}-{VERSION}.tgz")


def read_package(size, scale):
    """(model.json as dict, {weight name: float32 array in Keras layout}, tar member bytes by name)."""
    with tarfile.open(tarball(size)) as tar:
        def member(path):
            return tar.extractfile(f"package/{path}").read()
        model = json.loads(member(f"models/x{scale}/model.json"))
        weights = {}
        for group in model["weightsManifest"]:
            blob = b"".join(member(f"models/x{scale}/{p}") for p in group["paths"])
            offset = 0
            for w in group["weights"]:
                if w["dtype"] != "float32" or "quantization" in w:
                    raise ValueError(f"unsupported weight encoding for {w['name']}")
                n = int(np.prod(w["shape"]))
                weights[w["name"]] = np.frombuffer(blob, np.float32, n, offset).reshape(w["shape"])
                offset += 4 * n
            if offset != len(blob):
                raise ValueError(f"weight shards hold {len(blob)} bytes, the manifest {offset}")
        extras = {p: member(p) for p in ["LICENSE", "assets/fixture.png", f"assets/samples/{scale}x/result.png"]}
    return model, weights, extras


def layers(model):
    """[(class, name, config, [input names])] in topological (file) order."""
    out = []
    for l in model["modelTopology"]["model_config"]["config"]["layers"]:
        inputs = [x[0] for x in l["inbound_nodes"][0]] if l["inbound_nodes"] else []
        out.append((l["class_name"], l["name"], l["config"], inputs))
    return out


def check_supported(cls, cfg):
    if cls == "Conv2D":
        if tuple(cfg["strides"]) != (1, 1) or tuple(cfg["dilation_rate"]) != (1, 1):
            raise ValueError("only stride-1, undilated convolutions")
        if cfg["activation"] not in ("linear", "relu"):
            raise ValueError("activation " + cfg["activation"])
    elif cls == "Activation" and cfg["activation"] != "relu":
        raise ValueError("activation " + cfg["activation"])
    elif cls == "Concatenate" and cfg["axis"] not in (3, -1):
        raise ValueError("concatenation on a non-channel axis")
    elif cls == "UpSampling2D" and cfg["interpolation"] != "nearest":
        raise ValueError("upsampling " + cfg["interpolation"])
    elif cls not in ("InputLayer", "Conv2D", "Activation", "Concatenate", "Add", "UpSampling2D"):
        raise ValueError(f"layer class {cls} is not converted")


def to_onnx(model, weights, name):
    nodes, inits = [], []
    graph_in, graph_out = None, model["modelTopology"]["model_config"]["config"]["output_layers"][0][0]
    for cls, lname, cfg, ins in layers(model):
        check_supported(cls, cfg)
        if cls == "InputLayer":
            graph_in = lname
        elif cls == "Conv2D":
            k = weights[f"{lname}/kernel"]  # [kh, kw, in, out]
            b = weights[f"{lname}/bias"] if cfg["use_bias"] else np.zeros(k.shape[3], np.float32)
            inits += [numpy_helper.from_array(np.ascontiguousarray(k.transpose(3, 2, 0, 1)), f"{lname}.weight"),
                      numpy_helper.from_array(b.astype(np.float32), f"{lname}.bias")]
            pad = k.shape[0] // 2 if cfg["padding"] == "same" else 0
            relu = cfg["activation"] == "relu"
            nodes.append(helper.make_node("Conv", [ins[0], f"{lname}.weight", f"{lname}.bias"],
                                          [lname + ("_pre" if relu else "")], name=lname,
                                          kernel_shape=list(k.shape[:2]), pads=[pad] * 4, strides=[1, 1]))
            if relu:
                nodes.append(helper.make_node("Relu", [lname + "_pre"], [lname], name=lname + "_relu"))
        elif cls == "Activation":
            nodes.append(helper.make_node("Relu", ins, [lname], name=lname))
        elif cls == "Concatenate":
            nodes.append(helper.make_node("Concat", ins, [lname], name=lname, axis=1))
        elif cls == "Add":
            acc = ins[0]
            for i, other in enumerate(ins[1:]):
                out = lname if i == len(ins) - 2 else f"{lname}_{i}"
                nodes.append(helper.make_node("Add", [acc, other], [out], name=out))
                acc = out
        elif cls == "UpSampling2D":
            sh, sw = cfg["size"]
            inits.append(numpy_helper.from_array(np.array([1, 1, sh, sw], np.float32), f"{lname}.scales"))
            nodes.append(helper.make_node("Resize", [ins[0], "", f"{lname}.scales"], [lname], name=lname,
                                          mode="nearest", coordinate_transformation_mode="asymmetric",
                                          nearest_mode="floor"))
    nodes.append(helper.make_node("Identity", [graph_out], ["sr"], name="output"))
    g = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info(graph_in, TensorProto.FLOAT, [1, 3, "height", "width"])],
        [helper.make_tensor_value_info("sr", TensorProto.FLOAT, [1, 3, "height_out", "width_out"])], inits)
    # rename the input to a stable name
    for n in g.node:
        for i, x in enumerate(n.input):
            if x == graph_in:
                n.input[i] = "lr"
    g.input[0].name = "lr"
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], producer_name="models/convert/esrgan.py")
    m.ir_version = 8
    helper.set_model_props(m, {"pixel_max": "255"})  # RGB in [0, 255] (the emulator reads this)
    onnx.checker.check_model(m, full_check=True)
    return m


# ---- independent NumPy reference (NHWC, float64, the Keras layers' definitions) ----

def np_conv(x, k, b, same):
    """x [H, W, C], k [kh, kw, C, O] -> [H', W', O]; 'same' pads k//2 zeros each side (odd kernels)."""
    kh, kw = k.shape[:2]
    if same:
        x = np.pad(x, ((kh // 2, kh // 2), (kw // 2, kw // 2), (0, 0)))
    h, w = x.shape[0] - kh + 1, x.shape[1] - kw + 1
    out = np.zeros((h, w, k.shape[3]))
    for dy in range(kh):
        for dx in range(kw):
            out += x[dy:dy + h, dx:dx + w, :] @ k[dy, dx].astype(np.float64)
    return out + b


def np_reference(model, weights, x_hwc):
    t = {}
    for cls, lname, cfg, ins in layers(model):
        if cls == "InputLayer":
            t[lname] = x_hwc.astype(np.float64)
        elif cls == "Conv2D":
            b = weights[f"{lname}/bias"] if cfg["use_bias"] else 0.0
            y = np_conv(t[ins[0]], weights[f"{lname}/kernel"], b, cfg["padding"] == "same")
            t[lname] = np.maximum(y, 0) if cfg["activation"] == "relu" else y
        elif cls == "Activation":
            t[lname] = np.maximum(t[ins[0]], 0)
        elif cls == "Concatenate":
            t[lname] = np.concatenate([t[i] for i in ins], axis=-1)
        elif cls == "Add":
            t[lname] = sum(t[i] for i in ins)
        elif cls == "UpSampling2D":
            sh, sw = cfg["size"]
            t[lname] = np.repeat(np.repeat(t[ins[0]], sh, axis=0), sw, axis=1)
    return t[model["modelTopology"]["model_config"]["config"]["output_layers"][0][0]]


def run_ort(session, x_hwc):
    x = x_hwc.transpose(2, 0, 1)[None].astype(np.float32)
    return session.run(None, {"lr": x})[0][0].transpose(1, 2, 0)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def convert(name, size, scale):
    model, weights, extras = read_package(size, scale)
    onnx_model = to_onnx(model, weights, name)
    blob = onnx_model.SerializeToString()
    session = ort.InferenceSession(blob, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(5)
    fixture = np.asarray(Image.open(io.BytesIO(extras["assets/fixture.png"])).convert("RGB")).astype(np.float64)
    checks = {"random 37x41": rng.uniform(0, 255, (37, 41, 3)), "fixture crop 48x48": fixture[:48, :48]}
    diffs = {}
    for label, x in checks.items():
        d = np.abs(run_ort(session, x) - np_reference(model, weights, x)).max() / 255.0
        diffs[label] = float(d)
        print(f"{name}: ONNX Runtime vs NumPy on {label}: max |diff| / 255 = {d:.2e}")
        if d > TOLERANCE:
            raise SystemExit(f"{name}: conversion differs from the NumPy reference by {d:.2e} > {TOLERANCE}")
    # upstream's own sample: UpscalerJS output for fixture.png (8-bit PNG); ours rounded and clipped as theirs
    ours = np.clip(np.round(run_ort(session, fixture)), 0, 255)
    theirs = np.asarray(Image.open(io.BytesIO(extras[f"assets/samples/{scale}x/result.png"])).convert("RGB"))
    theirs = theirs.astype(np.float64)
    if theirs.shape != ours.shape:
        raise SystemExit(f"{name}: upstream sample is {theirs.shape}, ours {ours.shape}")
    diff = np.abs(ours - theirs)
    sample = {"max_abs_diff_8bit": float(diff.max()), "mean_abs_diff_8bit": round(float(diff.mean()), 4),
              "fraction_within_1": round(float((diff <= 1).mean()), 5), "size": list(fixture.shape[:2])}
    print(f"{name}: vs upstream's sample output {sample}")
    d = os.path.join(REPO, name)
    os.makedirs(os.path.join(d, "1"), exist_ok=True)
    with open(os.path.join(d, "1", "model.onnx"), "wb") as f:
        f.write(blob)
    with open(os.path.join(d, "LICENSE.upstream"), "wb") as f:
        f.write(extras["LICENSE"])
    params = int(sum(w.size for w in weights.values()))
    info = {
        "source": f"npm @upscalerjs/esrgan-{size}@{VERSION}, package/models/x{scale}/",
        "tarball": os.path.basename(tarball(size)),
        "tarball_sha256": sha256(open(tarball(size), "rb").read()),
        "model_json_sha256": sha256(json.dumps(model, sort_keys=True).encode()),
        "onnx_sha256": sha256(blob),
        "layers": {c: sum(1 for l in layers(model) if l[0] == c) for c in sorted({l[0] for l in layers(model)})},
        "parameters": params,
        "numpy_check_max_abs_diff_over_255": diffs,
        "tolerance": TOLERANCE,
        "upstream_sample": sample,
    }
    with open(os.path.join(d, "conversion.json"), "w") as f:
        json.dump(info, f, indent=2)
        f.write("\n")
    return info


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", help="convert one network (repository name)")
    args = ap.parse_args()
    for name, size, scale in NETWORKS:
        if args.only in (None, name):
            convert(name, size, scale)


if __name__ == "__main__":
    main()
