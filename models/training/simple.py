"""Writes the `simple` model: Triton's classic smoke-test model (OUTPUT0 = INPUT0 + INPUT1, OUTPUT1 = INPUT0 -
INPUT1 on INT32 [N, 16]). No training: it exists so that clients, health checks and the gateway-overhead
benchmark have a model whose compute is negligible. Usage: python models/training/simple.py
"""
import os

import onnx
from onnx import TensorProto, helper

import common

CONFIG = """\
# Written by models/training/simple.py (edit the script, not this file). See MODEL_CARD.md.
kind: plain
description: Triton's "simple" model - OUTPUT0 = INPUT0 + INPUT1, OUTPUT1 = INPUT0 - INPUT1 (INT32 [16])
max-batch-size: 8
scheduling:
  policy: work-conserving
  queue: {max-size: 1024}
"""

CARD = """# simple — element-wise add and subtract (no training)

Triton's classic example model, for smoke tests, client examples and the gateway-overhead benchmark:
inputs `INPUT0`, `INPUT1` (INT32 [N, 16]); outputs `OUTPUT0 = INPUT0 + INPUT1`, `OUTPUT1 = INPUT0 - INPUT1`.
Written by `python models/training/simple.py` with the ONNX helper API (opset 17); it has no weights and
nothing to learn. Its compute is a few nanoseconds, so its latency through the server is the server's own
overhead.
"""


def main():
    x0 = helper.make_tensor_value_info("INPUT0", TensorProto.INT32, ["batch", 16])
    x1 = helper.make_tensor_value_info("INPUT1", TensorProto.INT32, ["batch", 16])
    y0 = helper.make_tensor_value_info("OUTPUT0", TensorProto.INT32, ["batch", 16])
    y1 = helper.make_tensor_value_info("OUTPUT1", TensorProto.INT32, ["batch", 16])
    graph = helper.make_graph([helper.make_node("Add", ["INPUT0", "INPUT1"], ["OUTPUT0"]),
                               helper.make_node("Sub", ["INPUT0", "INPUT1"], ["OUTPUT1"])],
                              "simple", [x0, x1], [y0, y1])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", common.OPSET)], producer_name="edgenpu")
    model.ir_version = 8
    onnx.checker.check_model(model)
    d = os.path.join(common.REPO, "simple")
    os.makedirs(os.path.join(d, "1"), exist_ok=True)
    onnx.save(model, os.path.join(d, "1", "model.onnx"))
    with open(os.path.join(d, "config.yaml"), "w") as f:
        f.write(CONFIG)
    with open(os.path.join(d, "MODEL_CARD.md"), "w") as f:
        f.write(CARD)


if __name__ == "__main__":
    main()
