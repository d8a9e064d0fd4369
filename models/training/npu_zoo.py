"""Shape-only ONNX graphs of public networks, for validating the emulated NPU against vendor figures.

Builds each network with random weights (torchvision or timm architectures; the weights do not matter for
layer shapes), exports it to ONNX (opset 17, batch dimension symbolic) and then drops the weight values
(the initialisers keep their names, types and dimensions), so a 100 MB network becomes a few hundred KB
that the emulator's shape inference and workload extraction read like the real file. ONNX Runtime cannot
run these files; they are not models to serve.

    python models/training/npu_zoo.py            # writes models/npu-zoo/<name>.onnx and networks.csv

The networks are the ones whose batch-1 and batch-8 throughput the Hailo Model Zoo publishes for Hailo-8
(docs/public_models/HAILO8/HAILO8_classification.rst, Dataflow Compiler v3.27.0), at the same input sizes.
"""
import csv
import pathlib

import onnx
import torch


def _import_model_definitions():
    """Imports torchvision and timm for their model definitions only.

    The torchvision wheel on PyPI links its C++ operators (nms, roi_align) against CUDA torch; with the
    CPU-only torch wheel that extension cannot load and registering its meta kernels fails at import.
    None of these networks uses those operators, so their registration is skipped while importing.
    """
    register_fake = torch.library.register_fake
    torch.library.register_fake = lambda *args, **kwargs: (lambda fn: fn)
    try:
        import timm as timm_module
        import torchvision as torchvision_module
    finally:
        torch.library.register_fake = register_fake
    return timm_module, torchvision_module


timm, torchvision = _import_model_definitions()

OUT = pathlib.Path(__file__).resolve().parents[1] / "npu-zoo"

# name, builder, input side (px), Hailo Model Zoo name
NETWORKS = [
    ("resnet18", lambda: torchvision.models.resnet18(weights=None), 224, "resnet_v1_18"),
    ("resnet34", lambda: torchvision.models.resnet34(weights=None), 224, "resnet_v1_34"),
    ("resnet50", lambda: torchvision.models.resnet50(weights=None), 224, "resnet_v1_50"),
    ("mobilenet_v1", lambda: timm.create_model("mobilenetv1_100", pretrained=False), 224, "mobilenet_v1"),
    ("mobilenet_v2", lambda: torchvision.models.mobilenet_v2(weights=None), 224, "mobilenet_v2_1.0"),
    ("efficientnet_lite0", lambda: timm.create_model("efficientnet_lite0", pretrained=False), 224,
     "efficientnet_lite0"),
    ("efficientnet_lite4", lambda: timm.create_model("efficientnet_lite4", pretrained=False), 300,
     "efficientnet_lite4"),
    ("vit_small", lambda: timm.create_model("vit_small_patch16_224", pretrained=False), 224, "vit_small_bn"),
    ("squeezenet_v1.1", lambda: torchvision.models.squeezenet1_1(weights=None), 224, "squeezenet_v1.1"),
    # Coral's Edge TPU FAQ publishes batch-1 latencies of these two (and of MobileNet v1/v2 above).
    ("googlenet", lambda: torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=False), 224,
     "-"),
    ("inception_v4", lambda: timm.create_model("inception_v4", pretrained=False), 299, "-"),
]


def strip_weights(model: onnx.ModelProto) -> int:
    """Drops the values of every initialiser with more than 64 elements; returns the parameters dropped."""
    dropped = 0
    for t in model.graph.initializer:
        n = 1
        for d in t.dims:
            n *= d
        if n > 64:
            dropped += n
            t.ClearField("raw_data")
            t.ClearField("float_data")
            t.ClearField("int64_data")
            t.ClearField("int32_data")
            t.data_location = onnx.TensorProto.DEFAULT
            del t.external_data[:]
    return dropped


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    rows = []
    for name, build, side, hailo in NETWORKS:
        net = build().eval()
        params = sum(p.numel() for p in net.parameters())
        path = OUT / f"{name}.onnx"
        x = torch.zeros(1, 3, side, side)
        # A transformer's class token is expanded to the batch through Shape/Expand arithmetic that the
        # emulator's shape inference does not evaluate; with a fixed batch of 1 the exporter folds it away.
        # The emulator scales every layer by the batch it is asked for either way.
        dynamic = None if name.startswith("vit") else {"input": {0: "N"}, "logits": {0: "N"}}
        torch.onnx.export(net, x, str(path), opset_version=17, input_names=["input"], output_names=["logits"],
                          dynamic_axes=dynamic, dynamo=False)
        model = onnx.load(str(path))
        dropped = strip_weights(model)
        onnx.save(model, str(path))
        rows.append({"network": name, "hailo_model_zoo_name": hailo, "input_side": side, "params": params,
                     "weights_dropped": dropped, "bytes": path.stat().st_size})
        print(f"{name}: {params / 1e6:.2f} M parameters, {path.stat().st_size / 1e3:.0f} KB shape-only graph")
    with open(OUT / "networks.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main()
