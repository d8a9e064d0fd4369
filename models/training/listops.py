"""ListOps data (our reimplementation of the Long Range Arena generator) and the two models trained on it:
FABNet (FFT token mixing + butterfly-sparse feed-forward layers) and a dense Transformer baseline.

Generator (after LRA's listops.py, rewritten from its description): a tree is a digit 0-9 with probability
0.75 (always at depth 10), otherwise an operator MIN, MAX, MED (median, rounded down) or SM (sum mod 10)
over 2..10 children. Trees are written as token sequences "[MAX 2 9 [MIN 4 7 ] 0 ]"; the label is the
value. Differences from LRA, stated in the model cards: sequences are 32..255 tokens (LRA: 500..2000,
padded to 2048) so that training fits on 2 CPU cores; and the closing bracket is kept as a token (LRA's
tokenizer dropped brackets, which loses the tree structure). Splits: 24 000 / 2 000 / 2 000, seed 3.

Vocabulary: 0 = padding, 1..10 = digits 0..9, 11 = [MIN, 12 = [MAX, 13 = [MED, 14 = [SM, 15 = ].

Usage: python models/training/listops.py {fabnet|transformer} [--steps N]
"""
import argparse
import math
import os
import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import common

SEED = 3
MAX_LEN = 256
MIN_TOKENS, MAX_TOKENS = 32, 255
MAX_DEPTH, MAX_ARGS = 10, 10
VOCAB = ["<pad>"] + [str(d) for d in range(10)] + ["[MIN", "[MAX", "[MED", "[SM", "]"]
TOKEN = {t: i for i, t in enumerate(VOCAB)}
CLASSES = 10
SPLITS = (24000, 2000, 2000)


def generate_tree(depth, rng):
    if depth >= MAX_DEPTH or rng.random() < 0.75:
        return rng.randrange(10)
    op = rng.choice(["[MIN", "[MAX", "[MED", "[SM"])
    return (op, [generate_tree(depth + 1, rng) for _ in range(rng.randint(2, MAX_ARGS))])


def evaluate(t):
    if isinstance(t, int):
        return t
    op, children = t
    v = [evaluate(c) for c in children]
    if op == "[MIN":
        return min(v)
    if op == "[MAX":
        return max(v)
    if op == "[MED":
        return int(np.floor(np.median(v)))
    return sum(v) % 10


def tokens(t, out):
    if isinstance(t, int):
        out.append(str(t))
        return out
    op, children = t
    out.append(op)
    for c in children:
        tokens(c, out)
    out.append("]")
    return out


def make_dataset(n, rng, seen):
    xs, ys = [], []
    while len(xs) < n:
        t = generate_tree(1, rng)
        toks = tokens(t, [])
        if not (MIN_TOKENS <= len(toks) <= MAX_TOKENS):
            continue
        key = " ".join(toks)
        if key in seen:
            continue
        seen.add(key)
        ids = [TOKEN[s] for s in toks] + [0] * (MAX_LEN - len(toks))
        xs.append(ids)
        ys.append(evaluate(t))
    return np.array(xs, dtype=np.int64), np.array(ys, dtype=np.int64)


def datasets():
    rng = random.Random(SEED)
    seen = set()
    return [make_dataset(n, rng, seen) for n in SPLITS]


# ----------------------------------------------------------------------------- butterfly linear layer

class ButterflyLinear(nn.Module):
    """y = truncate(concat_stacks(B_{log n} ... B_1 · pad(x))) + bias, with twiddles T[stack][stage][n/2][2][2]
    (increasing stride), as docs/papers/fabnet.md Parameters: 2·stacks·n·log2(n) + out."""

    def __init__(self, d_in, d_out):
        super().__init__()
        self.d_in, self.d_out = d_in, d_out
        self.n = 1 << math.ceil(math.log2(d_in))
        self.log_n = int(math.log2(self.n))
        self.stacks = math.ceil(d_out / self.n)
        self.twiddle = nn.Parameter(torch.randn(self.stacks, self.log_n, self.n // 2, 2, 2) / math.sqrt(2))
        bound = 1 / math.sqrt(d_in)
        self.bias = nn.Parameter(torch.empty(d_out).uniform_(-bound, bound))

    def forward(self, x):
        shape = x.shape[:-1]
        x = x.reshape(-1, self.d_in)
        if self.n > self.d_in:
            x = F.pad(x, (0, self.n - self.d_in))
        b = x.shape[0]
        y = x.unsqueeze(1).expand(b, self.stacks, self.n)
        for s in range(self.log_n):
            st = 1 << s
            blocks = self.n // (2 * st)
            v = y.reshape(b, self.stacks, blocks, 2, st)
            x0, x1 = v[:, :, :, 0, :], v[:, :, :, 1, :]
            tw = self.twiddle[:, s].reshape(self.stacks, blocks, st, 2, 2)
            y0 = tw[..., 0, 0] * x0 + tw[..., 0, 1] * x1
            y1 = tw[..., 1, 0] * x0 + tw[..., 1, 1] * x1
            y = torch.stack([y0, y1], dim=3).reshape(b, self.stacks, self.n)
        y = y.reshape(b, self.stacks * self.n)[:, :self.d_out] + self.bias
        return y.reshape(*shape, self.d_out)


# ----------------------------------------------------------------------------- models

class FBflyBlock(nn.Module):
    def __init__(self, d, h, dropout):
        super().__init__()
        self.ln1 = nn.LayerNorm(d)
        self.ln2 = nn.LayerNorm(d)
        self.up = ButterflyLinear(d, h)
        self.down = ButterflyLinear(h, d)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, mask):
        x = x + torch.fft.fft2(self.ln1(x), dim=(1, 2)).real
        return x + self.drop(self.down(self.drop(F.gelu(self.up(self.ln2(x))))))


class TransformerBlock(nn.Module):
    def __init__(self, d, h, heads, dropout):
        super().__init__()
        self.ln1 = nn.LayerNorm(d)
        self.ln2 = nn.LayerNorm(d)
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d)
        self.o = nn.Linear(d, d)
        self.ff1 = nn.Linear(d, h)
        self.ff2 = nn.Linear(h, d)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, mask):
        b, l, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
        hd = d // self.heads
        q = q.reshape(b, l, self.heads, hd).transpose(1, 2)
        k = k.reshape(b, l, self.heads, hd).transpose(1, 2)
        v = v.reshape(b, l, self.heads, hd).transpose(1, 2)
        scores = q @ k.transpose(2, 3) / math.sqrt(hd) - 1e6 * (1 - mask[:, None, None, :])
        a = (torch.softmax(scores, -1) @ v).transpose(1, 2).reshape(b, l, d)
        x = x + self.drop(self.o(a))
        return x + self.drop(self.ff2(self.drop(F.gelu(self.ff1(self.ln2(x))))))


class ListOpsModel(nn.Module):
    def __init__(self, kind, d=64, h=128, layers=2, heads=2, dropout=0.1):
        super().__init__()
        self.kind = kind
        self.tok = nn.Embedding(len(VOCAB), d)
        self.pos = nn.Embedding(MAX_LEN, d)
        nn.init.normal_(self.tok.weight, std=0.02)
        nn.init.normal_(self.pos.weight, std=0.02)
        if kind == "fabnet":
            self.blocks = nn.ModuleList([FBflyBlock(d, h, dropout) for _ in range(layers)])
        else:
            self.blocks = nn.ModuleList([TransformerBlock(d, h, heads, dropout) for _ in range(layers)])
        self.ln = nn.LayerNorm(d)
        self.head1 = nn.Linear(d, h)
        self.head2 = nn.Linear(h, CLASSES)
        self.drop = nn.Dropout(dropout)

    def forward(self, ids):
        mask = (ids != 0).float()
        x = self.drop(self.tok(ids) + self.pos.weight[None, :ids.shape[1]])
        for blk in self.blocks:
            x = blk(x, mask)
        x = self.ln(x) * mask[..., None]
        pooled = x.sum(1) / mask.sum(1, keepdim=True).clamp(min=1)
        return self.head2(F.relu(self.head1(pooled)))


def accuracy(model, x, y, batch=200):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            correct += (model(torch.from_numpy(x[i:i + batch])).argmax(1).numpy() == y[i:i + batch]).sum()
    return correct / len(x)


def train(kind, steps):
    common.seed_everything(SEED)
    timer = common.Timer()
    (xtr, ytr), (xva, yva), (xte, yte) = datasets()
    model = ListOpsModel(kind)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-3, total_steps=steps, pct_start=0.1)
    rng = np.random.default_rng(SEED)
    best, best_state = -1.0, None
    for step in range(steps):
        model.train()
        idx = rng.integers(0, len(xtr), 32)
        loss = F.cross_entropy(model(torch.from_numpy(xtr[idx])), torch.from_numpy(ytr[idx]))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if (step + 1) % 500 == 0 or step == steps - 1:
            va = accuracy(model, xva, yva)
            print(f"{kind} step {step + 1} loss {loss.item():.3f} val acc {va:.4f} ({timer.minutes():.1f} min)", flush=True)
            if va > best:
                best, best_state = va, {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    te = accuracy(model, xte, yte)
    majority = float(np.bincount(ytr, minlength=CLASSES).max() / len(ytr))
    print(f"{kind}: test accuracy {te:.4f} (validation {best:.4f}); majority class {majority:.4f}")
    out = os.path.join(common.REPO, f"{kind}-listops")
    os.makedirs(os.path.join(out, "eval"), exist_ok=True)
    torch.save(model.state_dict(), os.path.join(os.path.dirname(__file__), f".{kind}-listops.pt"))
    common.write_json(os.path.join(out, "eval", "metrics.json"), {
        "test_samples": int(len(yte)), "test_accuracy": round(float(te), 4), "validation_accuracy": round(float(best), 4),
        "majority_class_accuracy": round(majority, 4), "parameters": int(sum(p.numel() for p in model.parameters())),
        "steps": steps, "train_minutes": round(timer.minutes(), 1), "max_len": MAX_LEN})
    return model, (xte, yte)




# ----------------------------------------------------------------------------- ONNX export

def _fabnet_onnx(model, length, opset=20, folded=False):
    """FABNet as an ONNX graph of elementary ops: DFT (opset 20) for the FFT token mixing, and each butterfly
    layer as its log2(n) stages of Reshape/Split/Mul/Add/Concat, so the graph mirrors the accelerator's passes.

    folded=True gives the same function in the form a CPU runs fastest (what the service serves): each
    butterfly layer multiplied out into its dense d_in x d_out matrix (one MatMul; at d = 64 the sparse stages
    cost more in per-op overhead than they save); the hidden-dimension DFT as a MatMul with [cos | -sin]; and
    the sequence DFT as a four-step Cooley-Tukey FFT with radix sqrt(L) (two small DFT matrix products and a
    twiddle multiply, O(L sqrt(L) d) in a few large MatMuls), which ONNX Runtime runs 3-6x faster than its
    DFT operator. Re(FFT2(X)) = Re(DFT_L(Z)) with Z = DFT_d(X) = X C - i X S."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    sd = {k: v.detach().cpu().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    nodes, inits = [], []
    counter = [0]

    def name(p):
        counter[0] += 1
        return f"{p}_{counter[0]}"

    def const(arr, p="c", exact=False):
        n = p if exact else name(p)
        inits.append(numpy_helper.from_array(np.asarray(arr), n))
        return n

    def weight(key, arr=None):
        # Weights keep their PyTorch names, so that the Java reference can read them back.
        return const(sd[key] if arr is None else arr, key, exact=True)

    def node(op, ins, attrs=None, p=None, outs=1):
        o = [name(p or op.lower()) for _ in range(outs)]
        nodes.append(helper.make_node(op, ins, o, **(attrs or {})))
        return o[0] if outs == 1 else o

    d = sd["tok.weight"].shape[1]
    ids = "tokens"
    x = node("Gather", [weight("tok.weight"), ids])
    x = node("Add", [x, weight("pos.weight", sd["pos.weight"][:length])])
    mask = node("Cast", [node("Not", [node("Equal", [ids, const(np.array(0, np.int64))])])], {"to": TensorProto.FLOAT})

    def layer_norm(t, prefix):
        return node("LayerNormalization", [t, weight(prefix + ".weight"), weight(prefix + ".bias")],
                    {"axis": -1, "epsilon": 1e-5})

    def folded_butterfly(t, prefix, d_in, d_out, rows):
        mod = model.get_submodule(prefix)
        with torch.no_grad():
            wt = (mod(torch.eye(d_in)) - mod.bias).numpy().astype(np.float32)      # [d_in, d_out]
        t = node("MatMul", [t, const(wt, prefix + ".dense.T", exact=True)])
        return node("Add", [t, weight(prefix + ".bias")])

    def four_step_mixing(t):
        """Re(FFT2(t)) for t [b, L, d], L a power of two: hidden DFT as one MatMul, then the sequence DFT with
        n = n2 L1 + n1, k = k2 + L2 k1: A = DFT_L2 over n2, times twiddles W_L^(n1 k2), then DFT_L1 over n1."""
        def mm(a, b, eq):
            return node("Einsum", [a, b], {"equation": eq})
        k = np.arange(d)
        ang = 2 * np.pi * np.outer(k, k) / d
        zr = node("MatMul", [t, const(np.cos(ang).astype(np.float32), "dft_hidden_cos")])
        zi = node("MatMul", [t, const(-np.sin(ang).astype(np.float32), "dft_hidden_msin")])
        l1 = 1 << (int(math.log2(length)) // 2)
        l2 = length // l1
        shape = const(np.array([-1, l2, l1, d], np.int64))
        zr, zi = node("Reshape", [zr, shape]), node("Reshape", [zi, shape])
        a2 = 2 * np.pi * np.outer(np.arange(l2), np.arange(l2)) / l2
        c2, s2 = const(np.cos(a2).astype(np.float32), "dft_l2_cos"), const(np.sin(a2).astype(np.float32), "dft_l2_sin")
        eq = "kn,bnmd->bkmd"
        ar = node("Add", [mm(c2, zr, eq), mm(s2, zi, eq)])       # e^{-ia}(zr + i zi) = (c zr + s zi) + i(c zi - s zr)
        ai = node("Sub", [mm(c2, zi, eq), mm(s2, zr, eq)])
        tw = 2 * np.pi * np.outer(np.arange(l2), np.arange(l1)) / length
        tc = const(np.cos(tw).astype(np.float32)[None, :, :, None], "twiddle_cos")
        ts = const(np.sin(tw).astype(np.float32)[None, :, :, None], "twiddle_sin")
        br = node("Add", [node("Mul", [ar, tc]), node("Mul", [ai, ts])])
        bi = node("Sub", [node("Mul", [ai, tc]), node("Mul", [ar, ts])])
        a1 = 2 * np.pi * np.outer(np.arange(l1), np.arange(l1)) / l1
        c1, s1 = const(np.cos(a1).astype(np.float32), "dft_l1_cos"), const(np.sin(a1).astype(np.float32), "dft_l1_sin")
        eq = "kn,bjnd->bkjd"
        out = node("Add", [mm(c1, br, eq), mm(s1, bi, eq)])       # real part only
        return node("Reshape", [out, const(np.array([-1, length, d], np.int64))])

    def butterfly(t, prefix, d_in, d_out, rows):
        if folded:
            return folded_butterfly(t, prefix, d_in, d_out, rows)
        tw = sd[prefix + ".twiddle"]
        stacks, log_n, half = tw.shape[0], tw.shape[1], tw.shape[2]
        n = 2 * half
        t = node("Reshape", [t, const(np.array([-1, d_in], np.int64))])
        if n > d_in:
            t = node("Pad", [t, const(np.array([0, 0, 0, n - d_in], np.int64))])
        t = node("Reshape", [t, const(np.array([-1, 1, n], np.int64))])
        t = node("Expand", [t, const(np.array([1, stacks, 1], np.int64))])
        for s in range(log_n):
            st = 1 << s
            blocks = n // (2 * st)
            v = node("Reshape", [t, const(np.array([-1, stacks, blocks, 2, st], np.int64))])
            x0, x1 = node("Split", [v, const(np.array([1, 1], np.int64))], {"axis": 3}, outs=2)
            w = tw[:, s].reshape(stacks, blocks, st, 2, 2)
            coef = lambda i, j: const(np.ascontiguousarray(w[..., i, j].reshape(stacks, blocks, 1, st)),
                                      f"{prefix}.twiddle.s{s}.{i}{j}", exact=True)
            y0 = node("Add", [node("Mul", [x0, coef(0, 0)]), node("Mul", [x1, coef(0, 1)])])
            y1 = node("Add", [node("Mul", [x0, coef(1, 0)]), node("Mul", [x1, coef(1, 1)])])
            t = node("Reshape", [node("Concat", [y0, y1], {"axis": 3}), const(np.array([-1, stacks, n], np.int64))])
        t = node("Reshape", [t, const(np.array([-1, stacks * n], np.int64))])
        if stacks * n > d_out:
            t = node("Slice", [t, const(np.array([0], np.int64)), const(np.array([d_out], np.int64)),
                               const(np.array([1], np.int64))])
        t = node("Add", [t, weight(prefix + ".bias")])
        return node("Reshape", [t, const(np.array([-1, rows, d_out], np.int64))])

    h = sd["blocks.0.up.bias"].shape[0]
    for b in range(len(model.blocks)):
        p = f"blocks.{b}"
        t = layer_norm(x, p + ".ln1")
        if folded:
            t = four_step_mixing(t)
        else:
            t = node("Unsqueeze", [t, const(np.array([-1], np.int64))])
            t = node("DFT", [t, "", const(np.array(2, np.int64))])      # over the hidden dimension
            t = node("DFT", [t, "", const(np.array(1, np.int64))])      # over the sequence
            t = node("Slice", [t, const(np.array([0], np.int64)), const(np.array([1], np.int64)), const(np.array([-1], np.int64))])
            t = node("Squeeze", [t, const(np.array([-1], np.int64))])
        x = node("Add", [x, t])
        t = layer_norm(x, p + ".ln2")
        t = butterfly(t, p + ".up", d, h, length)
        t = node("Gelu", [t])
        t = butterfly(t, p + ".down", h, d, length)
        x = node("Add", [x, t])
    x = layer_norm(x, "ln")
    x = node("Mul", [x, node("Unsqueeze", [mask, const(np.array([-1], np.int64))])])
    total = node("ReduceSum", [x, const(np.array([1], np.int64))], {"keepdims": 0})
    count = node("Max", [node("ReduceSum", [mask, const(np.array([1], np.int64))], {"keepdims": 1}), const(np.array(1.0, np.float32))])
    pooled = node("Div", [total, count])
    z = node("Relu", [node("Add", [node("MatMul", [pooled, const(sd["head1.weight"].T.copy(), "head1.weight.T", exact=True)]),
                                   weight("head1.bias")])])
    logits = node("Add", [node("MatMul", [z, const(sd["head2.weight"].T.copy(), "head2.weight.T", exact=True)]),
                          weight("head2.bias")])
    nodes.append(helper.make_node("Softmax", [logits], ["probabilities"], axis=1))
    graph = helper.make_graph(nodes, "fabnet",
                              [helper.make_tensor_value_info("tokens", TensorProto.INT64, ["batch", length])],
                              [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", CLASSES])],
                              inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="edgenpu")
    m.ir_version = 9
    onnx.checker.check_model(m)
    return m


class _WithSoftmax(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, ids):
        return torch.softmax(self.model(ids), dim=1)


def export(kind, model, length, path, stages_path=None):
    """Writes the served graph to path; for FABNet also the accelerator-mirroring graph to stages_path."""
    import onnx
    os.makedirs(os.path.dirname(path), exist_ok=True)
    model.eval()
    if kind == "fabnet":
        onnx.save(_fabnet_onnx(model, length, folded=True), path)
        if stages_path:
            onnx.save(_fabnet_onnx(model, length), stages_path)
    else:
        # The wrapper must be in eval mode too: the exporter restores each module's mode afterwards.
        torch.onnx.export(_WithSoftmax(model).eval(), (torch.zeros(1, length, dtype=torch.int64),), path, input_names=["tokens"],
                          output_names=["probabilities"], dynamic_axes={"tokens": {0: "batch"}, "probabilities": {0: "batch"}},
                          opset_version=17, do_constant_folding=True, dynamo=False)
        m = onnx.load(path)
        m.producer_version = ""
        onnx.save(m, path)
    model.eval()


def flops_and_params(kind, d=64, h=128, layers=2, length=MAX_LEN):
    """FLOPs and parameters of one block stack by docs/papers/fabnet.md's formulas (the paper's rough counts)."""
    if kind == "transformer":
        f = layers * (2 * length * length * d + 4 * length * d * d + 2 * length * d * h)
        p = layers * (4 * d * d + 2 * d * h)
    else:
        lp = 1 << math.ceil(math.log2(length))
        f = layers * (length * 2 * d * math.log2(d) + d * 2 * lp * math.log2(lp) + length * 2 * d * math.log2(d) * (h / d)
                      + length * 2 * h * math.log2(h))
        p = layers * (2 * d + 2 * lp + 4 * d + 4 * h)
    return int(f), int(p)


CONFIG = """\
# Written by models/training/listops.py (edit the script, not this file). See MODEL_CARD.md.
kind: plain
description: {description}
device: butterfly
max-batch-size: 8
slo: 200ms
inputs:
  - {{name: tokens, datatype: INT64, shape: [{length}]}}   # ListOps token ids, right-padded with 0 (vocabulary in vocab.txt)
outputs:
  - {{name: probabilities, datatype: FP32, shape: [10]}}
scheduling:
  policy: work-conserving
  queue: {{max-size: 256}}
# Shape for the butterfly accelerator's cost model (it paces the emulated device; numbers come from ONNX Runtime)
butterfly: {butterfly}
"""


def finish(kind, model, test):
    """Exports the trained model into the repository with its config, vocabulary and evaluation subset."""
    import onnxruntime as ort
    out = os.path.join(common.REPO, f"{kind}-listops")
    path = os.path.join(out, "1", "model.onnx")
    export(kind, model, MAX_LEN, path, os.path.join(out, "1", "butterfly-stages.onnx"))
    xte, yte = test
    sess = ort.InferenceSession(path)
    probs = np.concatenate([sess.run(None, {"tokens": xte[i:i + 100]})[0] for i in range(0, len(xte), 100)])
    with torch.no_grad():
        ref = torch.softmax(model(torch.from_numpy(xte[:50])), 1).numpy()
    assert np.abs(probs[:50] - ref).max() < 1e-3, "ONNX export differs from the trained model"
    onnx_acc = float((probs.argmax(1) == yte).mean())
    ev = os.path.join(out, "eval")
    xte[:500].astype(np.uint8).tofile(os.path.join(ev, "tokens-u8.bin"))
    yte[:500].astype(np.uint8).tofile(os.path.join(ev, "labels-u8.bin"))
    subset_acc = float((probs[:500].argmax(1) == yte[:500]).mean())
    with open(os.path.join(out, "vocab.txt"), "w") as f:
        f.write("\n".join(VOCAB) + "\n")
    import json
    mpath = os.path.join(ev, "metrics.json")
    with open(mpath) as f:
        metrics = json.load(f)
    flops, params = flops_and_params(kind)
    metrics.update({"onnx_test_accuracy": round(onnx_acc, 4), "onnx_subset_accuracy_500": round(subset_acc, 4),
                    "formula_flops": flops, "formula_params": params})
    common.write_json(mpath, metrics)
    description = ("FABNet (FFT token mixing + butterfly FFN, 2 FBfly blocks, d 64) on ListOps, length 256"
                   if kind == "fabnet" else "dense Transformer baseline (2 layers, d 64, 2 heads) on ListOps, length 256")
    with open(os.path.join(out, "config.yaml"), "w") as f:
        shape = (f"{{length: {MAX_LEN}, hidden: 64, ffn: 128, fbfly-blocks: 2}}" if kind == "fabnet"
                 else f"{{length: {MAX_LEN}, hidden: 64, ffn: 128, dense-blocks: 2, heads: 2}}")
        f.write(CONFIG.format(description=description, length=MAX_LEN, butterfly=shape))
    import listops_card
    for k in ["fabnet", "transformer"]:
        if os.path.exists(os.path.join(common.REPO, f"{k}-listops", "eval", "metrics.json")):
            listops_card.write_card(k)
    print(metrics)


def export_bench(lengths):
    """Untrained FABNet and Transformer graphs at several lengths, for the CPU latency benchmark only."""
    global MAX_LEN
    d = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "bench"))
    for length in lengths:
        for kind in ["fabnet", "transformer"]:
            torch.manual_seed(length)
            saved, MAX_LEN = MAX_LEN, length
            try:
                model = ListOpsModel(kind).eval()
            finally:
                MAX_LEN = saved
            export(kind, model, length, os.path.join(d, f"{kind}-L{length}.onnx"),
                   os.path.join(d, f"{kind}-stages-L{length}.onnx"))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["fabnet", "transformer", "bench"])
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--export-only", action="store_true", help="re-export from the saved weights (.<kind>-listops.pt)")
    args = ap.parse_args()
    if args.kind == "bench":
        export_bench([256, 512, 1024, 2048])
    else:
        if args.export_only:
            common.seed_everything(SEED)
            model = ListOpsModel(args.kind)
            model.load_state_dict(torch.load(os.path.join(os.path.dirname(__file__), f".{args.kind}-listops.pt")))
            model.eval()
            test = datasets()[2]
        else:
            model, test = train(args.kind, args.steps)
        finish(args.kind, model, test)
