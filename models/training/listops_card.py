"""Writes the model cards of fabnet-listops and transformer-listops from their eval/metrics.json."""
import json
import os

import common

ARCH = {
    "fabnet": ("FABNet", """Two FBfly blocks (docs/papers/fabnet.md): pre-LayerNorm, **FFT token mixing** `x + Re(FFT2(LN(x)))` over the
(sequence, hidden) axes, then a **butterfly feed-forward** `x + Bfly(128->64)(GELU(Bfly(64->128)(LN(x))))`
where each butterfly layer is a product of log2(n) sparse butterfly factors (docs/papers/fabnet.md); token and position
embeddings (d = 64), final LayerNorm times the padding mask, mean pooling, a 64->128->10 head.

Two ONNX graphs of the same function ship in `1/`. **`model.onnx`** (served) is the form a CPU runs well:
the FFT token mixing as four MatMuls (hidden DFT of the Hermitian half, a four-step sequence DFT of radix
sqrt(L) with the twiddles folded into its second step, then the mirrored half) and each butterfly layer in
**two forms** behind an `If` on a constant `<layer>.factored`: multiplied out into one dense MatMul, or
factored into two block-diagonal Einsums. ONNX Runtime keeps only the chosen branch; the service times both
per layer when it loads the model and keeps the faster (decision 0021; at these widths dense wins).
**`butterfly-stages.onnx`** mirrors the
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


def pct(v):
    return f"{v * 100:.1f}%"


def seeds_line(m):
    accs = ", ".join(pct(a) for a in m["seed_test_accuracies"])
    n = len(m["seed_test_accuracies"])
    if n < 2:
        return f"{accs} (one seed)"
    return (f"mean **{pct(m['seed_mean_test_accuracy'])} ± {m['seed_ci95_half_width'] * 100:.1f}** "
            f"(95% Student-t interval over {n} seeds: {accs})")


def paper_shape(m):
    p = m.get("paper_shape_d128")
    if not p:
        return ""
    return (f"FABNet at the paper's shape (d 128, FFN 256; results only, not served), same data and recipe: "
            f"{seeds_line(p)}.\n\n")


def write_card(kind):
    other_kind = "transformer" if kind == "fabnet" else "fabnet"
    m, other = load(kind), load(other_kind)
    fab = m if kind == "fabnet" else other
    tr = other if kind == "fabnet" else m
    name, arch = ARCH[kind]
    lo, hi = m["lra_length_range"]
    card = f"""# {kind}-listops — {name} on ListOps

**What it does.** Evaluates a ListOps expression (nested MIN / MAX / MED / SM over digits), given as token
ids: input `tokens` INT64 [N, {m['max_len']}] (right-padded with 0; vocabulary in `vocab.txt`, one token per line,
id = line number - 1), output `probabilities` FP32 [N, 10] over the values 0-9. The closing bracket is not a
token (LRA's tokenizer drops it); the service's expression endpoint drops it too.

**Data.** Long Range Arena's ListOps generator, reimplemented in `models/training/listops.py` (settings as LRA's
`lra_benchmarks/data/listops.py`: depth at most 10, 2-10 arguments, an operator with probability 0.25 below depth
10; MIN, MAX, MED, SM; 96 000 / 2 000 / 2 000 distinct train / validation / test sequences from seed 3;
brackets dropped from the input, as LRA's tokenizer does). `python models/training/listops.py data --spec lra`
generates LRA's own lengths (500 < length < 2 000, padded to 2 048; `--count 300` draws a sample of 300 per
split in seconds: lengths 501-1 998, mean about 1 060, 424-1 718 input tokens). The shipped models are trained on the
`short` spec, the same generator with **{lo}-{hi} tokens** (LRA's length count, brackets included) padded to
{m['max_len']}: see *Differences from the paper*. The first 500 test sequences are committed in `eval/`.

**Architecture.** {arch}
{m['parameters']:,} parameters.

**Training.** `python models/training/listops.py {kind} --seed S` for S = 0, 1, 2, then
`python models/training/listops.py finish {kind}` ({m['steps']} steps of batch 32; AdamW β (0.9, 0.999), eps 1e-6,
no weight decay, linear one-cycle schedule with 20% warm-up to a peak of 1e-3; gradient clipping 1.0; dropout
0.1; the checkpoint with the best validation accuracy is kept). Minutes per seed on one CPU thread of a shared
2-core machine: {", ".join(str(x) for x in m['train_minutes_per_seed'])}. The served graph is seed 0's (chosen before
training, not the best seed).

**Metrics** (`eval/metrics.json`, per seed in `eval/seeds/`):

| | {kind} | {other_kind} |
|---|---|---|
| test accuracy over seeds (2 000 held-out sequences) | {seeds_line(m)} | {seeds_line(other)} |
| served model (seed 0): test / validation | {pct(m['test_accuracy'])} / {pct(m['validation_accuracy'])} | {pct(other['test_accuracy'])} / {pct(other['validation_accuracy'])} |
| majority class / chance | {pct(m['majority_class_accuracy'])} / 10% | |
| FLOPs per sequence (authors' formula, 2 layers, L = {m['max_len']}) | {m['formula_flops'] / 1e6:.2f} M | {other['formula_flops'] / 1e6:.2f} M |
| parameters (authors' formula) / trained | {m['formula_params']:,} / {m['parameters']:,} | {other['formula_params']:,} / {other['parameters']:,} |

{paper_shape(m)}FABNet minus Transformer, mean over seeds: **{(fab['seed_mean_test_accuracy'] - tr['seed_mean_test_accuracy']) * 100:+.1f} points**
(goal: within 1.5 points). The paper reports 37.4% (FABNet) and 37.3% (Transformer) at LRA's lengths. Counted
from the exported graphs (`docs/results/fabnet/graph-cost.csv`), FLOPs and stored constants differ from the
formula's figures; see that table. The ONNX graph reproduces the trained network's test accuracy
({pct(m['onnx_test_accuracy'])}).

**Differences from the paper** (identical for both models, forced by 2 CPU cores):

| | paper (LRA) | here |
|---|---|---|
| sequence length | 500-2 000, padded to 2 048 | {lo}-{hi}, padded to {m['max_len']} |
| train / val / test | 96 000 / 2 000 / 2 000 | same |
| Transformer | d 64, FFN 128, 2 layers, 2 heads | same |
| FABNet | d 128, FFN 256, 2 FBfly layers, FP16 emulation | d 64, FFN 128, 2 FBfly layers, FP32 |
| steps, learning rate | 5 000 at 1e-4 (1 000 warm-up) | {m['steps']} at 1e-3 (20% warm-up) |
| precision | mixed (AMP) | FP32 |

**Known limits.** The shorter sequences make the numbers not directly comparable with LRA tables.

`ShippedModelsAccuracyTest` recomputes the accuracy on the committed 500 sequences through ONNX Runtime and
checks it against `eval/metrics.json` ({pct(m['onnx_subset_accuracy_500'])}).
"""
    with open(os.path.join(common.REPO, f"{kind}-listops", "MODEL_CARD.md"), "w") as f:
        f.write(card)
