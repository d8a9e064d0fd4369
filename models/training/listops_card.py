"""Writes the model cards of fabnet-listops and transformer-listops from their eval/metrics.json."""
import json
import os

import common

ARCH = {
    "fabnet": ("FABNet", """Two FBfly blocks (docs/papers/fabnet.md): pre-LayerNorm, **FFT token mixing** `x + Re(FFT2(LN(x)))` over the
(sequence, hidden) axes, then a **butterfly feed-forward** `x + Bfly(128->64)(GELU(Bfly(64->128)(LN(x))))`
where each butterfly layer is a product of log2(n) sparse butterfly factors (docs/papers/fabnet.md); token and position
embeddings (d = 64), final LayerNorm times the padding mask, mean pooling, a 64->128->10 head.

Two ONNX graphs of the same function ship in `1/`. **`model.onnx`** (served) is the form a CPU runs fastest:
each butterfly layer multiplied out into its dense matrix, the hidden-axis DFT as a MatMul and the sequence
DFT as a four-step Cooley-Tukey FFT with radix sqrt(L) (Einsum/MatMul). **`butterfly-stages.onnx`** mirrors the
accelerator's passes: the `DFT` operator (opset 20) for both FFTs and each butterfly layer as its log2(n)
stages of Reshape/Split/Mul/Add/Concat, with the twiddles as named initializers; the Java reference
(`FabnetReference`) reads those and `FabnetReferenceAgreementTest` checks it against `model.onnx` through
ONNX Runtime (largest probability difference below 1e-4)."""),
    "transformer": ("Dense Transformer (baseline)", """The LRA Transformer baseline (docs/papers/fabnet.md): two pre-LayerNorm blocks of 2-head self-attention (head
dimension 32, padding mask) and a dense 64->128->64 GELU feed-forward; token and position embeddings
(d = 64); final LayerNorm times the padding mask, mean pooling, a 64->128->10 head. Exported with the
PyTorch ONNX exporter (opset 17)."""),
}


def load(kind):
    with open(os.path.join(common.REPO, f"{kind}-listops", "eval", "metrics.json")) as f:
        return json.load(f)


def write_card(kind):
    other_kind = "transformer" if kind == "fabnet" else "fabnet"
    m, other = load(kind), load(other_kind)
    fab = m if kind == "fabnet" else other
    tr = other if kind == "fabnet" else m
    name, arch = ARCH[kind]
    card = f"""# {kind}-listops — {name} on ListOps

**What it does.** Evaluates a ListOps expression (nested MIN / MAX / MED / SM over digits), given as token
ids: input `tokens` INT64 [N, 256] (right-padded with 0; vocabulary in `vocab.txt`, one token per line, id =
line number - 1), output `probabilities` FP32 [N, 10] over the values 0-9.

**Data.** Our reimplementation of the Long Range Arena ListOps generator (`models/training/listops.py`): a tree
is a digit with probability 0.75 (always at depth 10), otherwise an operator over 2-10 children. Two
deliberate differences from LRA, to fit training on 2 CPU cores and keep the task's structure: sequences of
32-255 tokens (LRA: 500-2000, padded to 2048), and the closing bracket kept as a token (LRA's tokenizer drops
brackets). 24 000 / 2 000 / 2 000 train / validation / test sequences, all distinct, seed 3. The first 500 test
sequences are committed in `eval/` (uint8 token ids and labels).

**Architecture.** {arch}
{m['parameters']:,} parameters.

**Training.** `python models/training/listops.py {kind}` ({m['steps']} steps of batch 32, AdamW 1e-3 with one-cycle
schedule, gradient clipping 1.0, dropout 0.1; the checkpoint with the best validation accuracy is kept):
{m['train_minutes']} minutes on one CPU thread. Seeded; thread scheduling makes re-runs differ by about a point.

**Metrics** (`eval/metrics.json`):

| | {kind} | {other_kind} |
|---|---|---|
| test accuracy (2 000 held-out sequences) | **{m['test_accuracy'] * 100:.1f}%** | {other['test_accuracy'] * 100:.1f}% |
| validation accuracy | {m['validation_accuracy'] * 100:.1f}% | {other['validation_accuracy'] * 100:.1f}% |
| majority class / chance | {m['majority_class_accuracy'] * 100:.1f}% / 10% | |
| FLOPs per sequence (docs/papers/fabnet.md formula, 2 layers, L = 256) | {m['formula_flops'] / 1e6:.2f} M | {other['formula_flops'] / 1e6:.2f} M |
| parameters (§7 formula) / actual | {m['formula_params']:,} / {m['parameters']:,} | {other['formula_params']:,} / {other['parameters']:,} |

FABNet needs **{tr['formula_flops'] / fab['formula_flops']:.1f}x fewer FLOPs** than the Transformer by the paper's
formulas, at equal accuracy (FABNet {fab['test_accuracy'] * 100:.1f}% vs Transformer {tr['test_accuracy'] * 100:.1f}%),
both far above the 16% majority class (LRA reports about 37% for both on its ListOps). The ONNX graph reproduces
the trained network's test accuracy exactly ({m['onnx_test_accuracy'] * 100:.1f}%).

**Known limits.** Shorter sequences than LRA, and brackets kept: numbers are not directly comparable with LRA
tables. ListOps is hard for small models; both plateau early.

`ShippedModelsAccuracyTest` recomputes the accuracy on the committed 500 sequences through ONNX Runtime and
checks it against `eval/metrics.json` ({m['onnx_subset_accuracy_500'] * 100:.1f}%).
"""
    with open(os.path.join(common.REPO, f"{kind}-listops", "MODEL_CARD.md"), "w") as f:
        f.write(card)
