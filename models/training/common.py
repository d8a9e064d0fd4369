"""Shared helpers for the offline training/export scripts (deterministic seeds, ONNX export, file IO)."""
import json
import os
import random
import time

import numpy as np
import torch

REPO = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "repository"))
OPSET = 17


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.set_num_threads(int(os.environ.get("TRAIN_THREADS", "2")))


def export_onnx(module: torch.nn.Module, example: torch.Tensor, path: str, input_name: str,
                output_name: str, dynamic_batch: bool = True, extra_dynamic=None) -> None:
    """Exports a single-input, single-output module with a dynamic batch dimension (legacy exporter, opset 17)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    module.eval()
    axes = {}
    if dynamic_batch:
        axes = {input_name: {0: "batch"}, output_name: {0: "batch"}}
    if extra_dynamic:
        for name, dims in extra_dynamic.items():
            axes.setdefault(name, {}).update(dims)
    torch.onnx.export(module, (example,), path, input_names=[input_name], output_names=[output_name],
                      dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True, dynamo=False)
    import onnx
    model = onnx.load(path)
    onnx.checker.check_model(model)
    # Strip the producer version so re-exports with the same weights are byte-identical.
    model.producer_version = ""
    onnx.save(model, path)


def write_json(path: str, obj) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")


class Timer:
    def __init__(self):
        self.start = time.time()

    def minutes(self) -> float:
        return (time.time() - self.start) / 60.0


def fuse_conv_bn(conv: torch.nn.Conv2d, bn: torch.nn.BatchNorm2d) -> torch.nn.Conv2d:
    """Folds an eval-mode BatchNorm into the preceding convolution (so the exported graph has no BN nodes)."""
    fused = torch.nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride,
                            conv.padding, conv.dilation, conv.groups, bias=True)
    w = conv.weight.detach()
    b = conv.bias.detach() if conv.bias is not None else torch.zeros(conv.out_channels)
    scale = bn.weight.detach() / torch.sqrt(bn.running_var + bn.eps)
    fused.weight.data = w * scale.reshape(-1, 1, 1, 1)
    fused.bias.data = (b - bn.running_mean) * scale + bn.bias.detach()
    return fused
