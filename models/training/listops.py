"""ListOps data (our reimplementation of the Long Range Arena generator) and the two models trained on it:
FABNet (FFT token mixing + butterfly-sparse feed-forward layers) and a dense Transformer baseline.

Generator, as LRA's lra_benchmarks/data/listops.py (rewritten from its description, Apache-2.0 upstream): at depth
< 10 a node is an operator with probability 0.25, otherwise (and always at depth 10) a digit 0-9; an operator
takes 2..10 children and is one of MIN, MAX, MED (median, truncated) and SM (sum mod 10). A tree's length counts
its operators, digits and closing brackets; LRA keeps a tree when 500 < length < 2000 and pads to 2048. Splits
96 000 / 2 000 / 2 000, all distinct, from a fixed seed (3). LRA's tokenizer keeps alphanumeric tokens only, so
the closing brackets are dropped from the model's input (and the operators lose their opening bracket).

Two length specs: `lra` (500 < length < 2000, padded to 2048) is LRA's; `short` (32 < length < 256, padded to
256) is the one the shipped models are trained on, because 2 CPU cores cannot train at 2 048 tokens (see the
model cards). Everything else (generator, vocabulary, split sizes) is the same in both.

Vocabulary: 0 = padding, 1..10 = digits 0..9, 11 = [MIN, 12 = [MAX, 13 = [MED, 14 = [SM.

Usage:
  python models/training/listops.py data --spec lra [--count N]   # generate and describe LRA's data
  python models/training/listops.py {fabnet|transformer} --seed S [--steps N]   # train one seed
  python models/training/listops.py fabnet --seed S --width 128   # the paper's FABNet shape (results only)
  python models/training/listops.py finish {fabnet|transformer}  # export seed 0, aggregate the seeds
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

DATA_SEED = 3
SPECS = {"lra": (500, 2000, 2048), "short": (32, 256, 256)}   # (exclusive min, exclusive max length, padded)
MIN_LENGTH, MAX_LENGTH, MAX_LEN = SPECS["short"]
MAX_DEPTH, MAX_ARGS, OPERATOR_P = 10, 10, 0.25
OPERATORS = ["[MIN", "[MAX", "[MED", "[SM"]
VOCAB = ["<pad>"] + [str(d) for d in range(10)] + OPERATORS
TOKEN = {t: i for i, t in enumerate(VOCAB)}
CLASSES = 10
SPLITS = (96000, 2000, 2000)
SEEDS = (0, 1, 2)
CACHE = os.path.dirname(os.path.abspath(__file__))


def generate_tree(depth, rng):
    """(tree, length) in LRA's order of random draws: the operator is drawn after its children."""
    if depth >= MAX_DEPTH or rng.random() > OPERATOR_P:
        return rng.choice(range(10)), 1
    length = 2
    children = []
    for _ in range(rng.randint(2, MAX_ARGS)):
        child, n = generate_tree(depth + 1, rng)
        children.append(child)
        length += n
    return (rng.choice(OPERATORS), children), length


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
        return int(np.median(v))
    return sum(v) % 10


def tokens(t, out):
    """The model's input: operators and digits (LRA's alphanumeric tokenizer drops the brackets)."""
    if isinstance(t, int):
        out.append(str(t))
        return out
    op, children = t
    out.append(op)
    for c in children:
        tokens(c, out)
    return out


def make_dataset(n, rng, seen, spec):
    lo, hi, padded = SPECS[spec]
    xs = np.zeros((n, padded), dtype=np.uint8)
    ys = np.zeros(n, dtype=np.int64)
    lengths = np.zeros(n, dtype=np.int64)
    i = 0
    while i < n:
        t, length = generate_tree(1, rng)
        if not (lo < length < hi):
            continue
        toks = tokens(t, [])
        key = " ".join(toks)
        if key in seen:
            continue
        seen.add(key)
        xs[i, :len(toks)] = [TOKEN[s] for s in toks]
        ys[i] = evaluate(t)
        lengths[i] = length
        i += 1
    return xs, ys, lengths


def datasets(spec="short"):
    """[(tokens uint8, labels), ...] for train / validation / test, cached beside this script."""
    path = os.path.join(CACHE, f".listops-{spec}.npz")
    if not os.path.exists(path):
        rng = random.Random(DATA_SEED)
        seen = set()
        parts = [make_dataset(n, rng, seen, spec) for n in SPLITS]
        np.savez(path + ".tmp.npz", **{f"{k}{i}": p[j] for i, p in enumerate(parts) for j, k in enumerate("xyl")})
        os.replace(path + ".tmp.npz", path)
    z = np.load(path)
    return [(z[f"x{i}"], z[f"y{i}"]) for i in range(3)], [z[f"l{i}"] for i in range(3)]


def describe(spec, count=None):
    """Prints each split's lengths and majority class; count > 0 draws only that many per split (a sample of
    the spec, not cached) instead of the full 96 000 / 2 000 / 2 000."""
    timer = common.Timer()
    if count:
        rng, seen = random.Random(DATA_SEED), set()
        parts = [make_dataset(count, rng, seen, spec) for _ in SPLITS]
        splits, lengths = [(p[0], p[1]) for p in parts], [p[2] for p in parts]
    else:
        splits, lengths = datasets(spec)
    for name, (x, y), ln in zip(["train", "validation", "test"], splits, lengths):
        tok = (x != 0).sum(1)
        print(f"{spec} {name}: {len(y)} sequences, LRA length {ln.min()}-{ln.max()} (mean {ln.mean():.0f}), "
              f"input tokens {tok.min()}-{tok.max()} padded to {x.shape[1]}, "
              f"majority class {np.bincount(y, minlength=CLASSES).max() / len(y):.4f}")
    print(f"({timer.minutes():.1f} min)")


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
            ids = torch.from_numpy(x[i:i + batch].astype(np.int64))
            correct += (model(ids).argmax(1).numpy() == y[i:i + batch]).sum()
    return correct / len(x)


PAPER_FABNET = (128, 256)     # the paper's FABNet configuration for ListOps: d 128, FFN 256


def run_dir(kind, width=64):
    """eval/seeds (the served shape, d 64) or eval/seeds-d128 (the paper's FABNet shape, results only)."""
    return os.path.join(common.REPO, f"{kind}-listops", "eval", "seeds" if width == 64 else f"seeds-d{width}")


def checkpoint(kind, seed, width=64):
    return os.path.join(CACHE, f".{kind}-listops-seed{seed}" + ("" if width == 64 else f"-d{width}") + ".pt")


def train(kind, steps, seed, width=64):
    """Trains one seed (model initialisation, dropout and batch order; the data are the same for every seed) and
    writes its checkpoint and eval/seeds/seed-S.json. Recipe: batch 32, AdamW (0.9, 0.999, eps 1e-6, no weight
    decay) and a linear one-cycle schedule with 20 % warm-up, as the paper's LRA runs, at peak 1e-3 (paper 1e-4
    over 5 000 steps); gradient clipping 1.0; the checkpoint with the best validation accuracy is kept."""
    common.seed_everything(seed)
    timer = common.Timer()
    ((xtr, ytr), (xva, yva), (xte, yte)), _ = datasets()
    model = ListOpsModel(kind) if width == 64 else ListOpsModel(kind, d=width, h=2 * width)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-3, total_steps=steps, pct_start=0.2,
                                                anneal_strategy="linear")
    rng = np.random.default_rng(seed)
    best, best_state = -1.0, None
    for step in range(steps):
        model.train()
        idx = rng.integers(0, len(xtr), 32)
        loss = F.cross_entropy(model(torch.from_numpy(xtr[idx].astype(np.int64))), torch.from_numpy(ytr[idx]))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if (step + 1) % 500 == 0 or step == steps - 1:
            va = accuracy(model, xva, yva)
            print(f"{kind} seed {seed} step {step + 1} loss {loss.item():.3f} val acc {va:.4f} "
                  f"({timer.minutes():.1f} min)", flush=True)
            if va > best:
                best, best_state = va, {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    te = accuracy(model, xte, yte)
    print(f"{kind} seed {seed}: test accuracy {te:.4f} (validation {best:.4f})")
    torch.save(model.state_dict(), checkpoint(kind, seed, width))
    common.write_json(os.path.join(run_dir(kind, width), f"seed-{seed}.json"), {
        "width": width, "ffn": 2 * width, "parameters": int(sum(p.numel() for p in model.parameters())),
        "seed": seed, "test_accuracy": round(float(te), 4), "validation_accuracy": round(float(best), 4),
        "steps": steps, "train_minutes": round(timer.minutes(), 1)})


def seed_summary(kind, width=64):
    """Mean, sample standard deviation and 95 % Student-t interval of the test accuracy over the trained seeds."""
    import json
    runs = []
    for seed in SEEDS:
        path = os.path.join(run_dir(kind, width), f"seed-{seed}.json")
        if os.path.exists(path):
            with open(path) as f:
                runs.append(json.load(f))
    acc = np.array([r["test_accuracy"] for r in runs])
    t975 = {2: 12.706, 3: 4.303, 4: 3.182}.get(len(acc), 0.0)
    sd = float(acc.std(ddof=1)) if len(acc) > 1 else 0.0      # one seed: no spread to report
    return {"seeds": [r["seed"] for r in runs], "seed_test_accuracies": [float(a) for a in acc],
            "seed_mean_test_accuracy": round(float(acc.mean()), 4), "seed_sd_test_accuracy": round(sd, 4),
            "seed_ci95_half_width": round(t975 * sd / math.sqrt(len(acc)), 4),
            "train_minutes_per_seed": [r["train_minutes"] for r in runs], "steps": runs[0]["steps"]}


# ----------------------------------------------------------------------------- ONNX export

def butterfly_factors(twiddle):
    """The butterfly product of twiddle [stacks, log n, n/2, 2, 2] as two block-diagonal factors, c = 2^floor(log n / 2)
    and r = n / c: B1 [stacks, r, c, c] (stages of stride < c, inside blocks of c) and B2 [stacks, c, r, r] (the
    other stages, across blocks at a fixed offset), with y1[s, i, k] = sum_j x[i, j] B1[s, i, j, k] and
    y[s, k, j] = sum_i y1[s, i, j] B2[s, j, i, k] for x viewed as [r, c]. Exact: checked against the stage form."""
    stacks, log_n = twiddle.shape[0], twiddle.shape[1]
    n = 2 * twiddle.shape[2]
    log_c = log_n // 2
    c, r = 1 << log_c, n >> log_c

    def apply(stages):
        y = np.repeat(np.eye(n, dtype=np.float64)[None], stacks, 0)          # [stacks, n (input), n]
        for st_i in stages:
            st = 1 << st_i
            blocks = n // (2 * st)
            v = y.reshape(stacks, n, blocks, 2, st)
            x0, x1 = v[:, :, :, 0, :], v[:, :, :, 1, :]
            tw = twiddle[:, st_i].reshape(stacks, 1, blocks, st, 2, 2).astype(np.float64)
            y0 = tw[..., 0, 0] * x0 + tw[..., 0, 1] * x1
            y1 = tw[..., 1, 0] * x0 + tw[..., 1, 1] * x1
            y = np.stack([y0, y1], axis=3).reshape(stacks, n, n)
        return y                                                              # row p = image of e_p

    m1, m2 = apply(range(log_c)), apply(range(log_c, log_n))
    b1 = np.stack([np.stack([m1[s, i * c:(i + 1) * c, i * c:(i + 1) * c] for i in range(r)]) for s in range(stacks)])
    idx = np.arange(r) * c
    b2 = np.stack([np.stack([m2[s][np.ix_(idx + j, idx + j)] for j in range(c)]) for s in range(stacks)])
    full = np.einsum("sij,sjk->sik", m1, m2)
    x = np.random.default_rng(0).standard_normal((3, n))
    ref = np.einsum("ln,snm->lsm", x, full)
    y1 = np.einsum("lij,sijk->lsik", x.reshape(3, r, c), b1)
    got = np.einsum("lsij,sjik->lskj", y1, b2).reshape(3, stacks, n)
    assert np.abs(got - ref).max() < 1e-9 * max(1.0, np.abs(ref).max()), "butterfly factors differ from the stages"
    return b1.astype(np.float32), b2.astype(np.float32)


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

    def subgraph(name_, sub_nodes, out_name, shape):
        return helper.make_graph(sub_nodes, name_, [], [helper.make_tensor_value_info(out_name, TensorProto.FLOAT, shape)])

    def folded_butterfly(t, prefix, d_in, d_out, rows):
        """Both CPU forms of one butterfly layer behind an If on the constant <prefix>.factored (ONNX Runtime
        inlines the chosen branch when it loads the graph; the service picks per layer at load time, decision
        0021): dense = the factors multiplied out into one d_in x d_out MatMul; factored = the same product as
        two block-diagonal Einsums (stages of stride < c inside blocks of c, then stages of stride >= c across
        the r = n / c blocks), n (r + c) instead of n^2 multiply-accumulates per stack and token."""
        mod = model.get_submodule(prefix)
        with torch.no_grad():
            wt = (mod(torch.eye(d_in)) - mod.bias).numpy().astype(np.float32)      # [d_in, d_out]
        b1, b2 = butterfly_factors(sd[prefix + ".twiddle"])
        stacks, r, c = b1.shape[0], b1.shape[1], b1.shape[2]
        n = r * c
        assert n == d_in, "the factored form needs a power-of-two input width"
        flat = const(np.array([-1, r, c], np.int64))
        dense_out, fact_out = name(prefix + ".dense_y"), name(prefix + ".factored_y")
        dense = [helper.make_node("MatMul", [t, const(wt, prefix + ".dense.T", exact=True)], [dense_out])]
        y1, y2, y3 = name("bf1"), name("bf2"), name("bf3")
        x3 = name("bf0")
        fact = [helper.make_node("Reshape", [t, flat], [x3]),
                helper.make_node("Einsum", [x3, const(b1, prefix + ".factor1", exact=True)], [y1], equation="lij,sijk->lsik"),
                helper.make_node("Einsum", [y1, const(b2, prefix + ".factor2", exact=True)], [y2], equation="lsij,sjik->lskj"),
                helper.make_node("Reshape", [y2, const(np.array([-1, stacks * n], np.int64))], [y3])]
        last = y3
        if stacks * n > d_out:
            last = name("bf4")
            fact.append(helper.make_node("Slice", [y3, const(np.array([0], np.int64)), const(np.array([d_out], np.int64)),
                                                   const(np.array([1], np.int64))], [last]))
        fact.append(helper.make_node("Reshape", [last, const(np.array([-1, rows, d_out], np.int64))], [fact_out]))
        flag = const(np.array(False), prefix + ".factored", exact=True)
        y = name(prefix + ".y")
        nodes.append(helper.make_node("If", [flag], [y], then_branch=subgraph(prefix + ".factored_form", fact, fact_out, ["batch", rows, d_out]),
                                      else_branch=subgraph(prefix + ".dense_form", dense, dense_out, ["batch", rows, d_out])))
        return node("Add", [y, weight(prefix + ".bias")])

    def four_step_mixing(t):
        """Re(FFT2(t)) for t [b, L, d], L a power of two, in four MatMuls. The input is real, so the spectrum is
        Hermitian: only the hidden columns k < h = d/2 + 1 are computed and the rest mirrored at the end
        (Re F[n, d - k] = Re F[-n mod L, k]). With n = n2 L1 + n1 and k = k2 + L2 k1 (L = L1 L2):
          Z = t [cos | -sin]                          hidden DFT, real and imaginary parts side by side
          A = [[C2, S2], [-S2, C2]] [Zr; Zi]          DFT over n2 (length L2) as one real 2 L2 x 2 L2 product
          F[k1, k2] = sum_n1 Ar cos(2 pi n1 k / L) + Ai sin(2 pi n1 k / L)   per k2: twiddles and DFT over n1
        O(L (sqrt(L) + d) d) multiply-accumulates in a few large MatMuls, no element-wise twiddle passes."""
        half = d // 2 + 1
        ang = 2 * np.pi * np.outer(np.arange(d), np.arange(half)) / d
        hidden = np.concatenate([np.cos(ang), -np.sin(ang)], axis=1).astype(np.float32)          # [d, 2h]
        l1 = 1 << (int(math.log2(length)) // 2)
        l2 = length // l1
        z = node("MatMul", [t, const(hidden, "dft_hidden")])                                     # [b, L, 2h]
        z = node("Reshape", [z, const(np.array([-1, l2, l1, 2, half], np.int64))])
        z = node("Transpose", [z], {"perm": [0, 3, 1, 2, 4]})                                   # [b, 2, L2, L1, h]
        z = node("Reshape", [z, const(np.array([-1, 2 * l2, l1 * half], np.int64))])
        a2 = 2 * np.pi * np.outer(np.arange(l2), np.arange(l2)) / l2
        c2, s2 = np.cos(a2), np.sin(a2)
        block = np.block([[c2, s2], [-s2, c2]]).astype(np.float32)
        y = node("MatMul", [const(block, "dft_sequence_outer"), z])                               # [b, 2 L2, L1 h]
        y = node("Reshape", [y, const(np.array([-1, 2, l2, l1, half], np.int64))])
        y = node("Transpose", [y], {"perm": [0, 2, 1, 3, 4]})                                   # [b, L2, 2, L1, h]
        y = node("Reshape", [y, const(np.array([-1, l2, 2 * l1, half], np.int64))])
        k = np.arange(l1)[None, :, None] * l2 + np.arange(l2)[:, None, None]                    # [L2(k2), L1(k1), 1]
        theta = 2 * np.pi * k * np.arange(l1)[None, None, :] / length                           # [L2, L1, L1(n1)]
        inner = np.concatenate([np.cos(theta), np.sin(theta)], axis=2).astype(np.float32)       # [L2, L1, 2 L1]
        f = node("MatMul", [const(inner, "dft_sequence_inner"), y])                              # [b, L2, L1, h]
        f = node("Transpose", [f], {"perm": [0, 2, 1, 3]})                                      # [b, L1, L2, h]
        low = node("Reshape", [f, const(np.array([-1, length, half], np.int64))])
        mirrored = node("Slice", [low, const(np.array([d - half], np.int64)), const(np.array([0], np.int64)),
                                  const(np.array([2], np.int64)), const(np.array([-1], np.int64))])
        negated = const((-np.arange(length)) % length, "sequence_negation")
        high = node("Gather", [mirrored, negated], {"axis": 1})
        return node("Concat", [low, high], {"axis": 2})

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


def finish(kind):
    """Exports seed 0's checkpoint into the repository (the served model: chosen before training, not the best
    seed) with its config, vocabulary and evaluation subset, and aggregates every trained seed's accuracy."""
    import onnxruntime as ort
    common.seed_everything(0)
    model = ListOpsModel(kind)
    model.load_state_dict(torch.load(checkpoint(kind, 0)))
    model.eval()
    ((xtr, ytr), _, (xte, yte)), lengths = datasets()
    xte = xte.astype(np.int64)
    out = os.path.join(common.REPO, f"{kind}-listops")
    path = os.path.join(out, "1", "model.onnx")
    export(kind, model, MAX_LEN, path, os.path.join(out, "1", "butterfly-stages.onnx"))
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
    with open(os.path.join(run_dir(kind), "seed-0.json")) as f:
        served = json.load(f)
    flops, params = flops_and_params(kind)
    majority = float(np.bincount(ytr, minlength=CLASSES).max() / len(ytr))
    metrics = {"test_samples": int(len(yte)), "test_accuracy": served["test_accuracy"],
               "validation_accuracy": served["validation_accuracy"], "served_seed": 0,
               "majority_class_accuracy": round(majority, 4),
               "parameters": int(sum(p.numel() for p in model.parameters())), "max_len": MAX_LEN,
               "lra_length_range": [MIN_LENGTH + 1, MAX_LENGTH - 1], "train_sequences": int(len(ytr)),
               "onnx_test_accuracy": round(onnx_acc, 4), "onnx_subset_accuracy_500": round(subset_acc, 4),
               "formula_flops": flops, "formula_params": params}
    metrics.update(seed_summary(kind))
    if kind == "fabnet" and os.path.exists(os.path.join(run_dir(kind, PAPER_FABNET[0]), "seed-0.json")):
        metrics["paper_shape_d128"] = seed_summary(kind, PAPER_FABNET[0])
    common.write_json(os.path.join(ev, "metrics.json"), metrics)
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
    ap.add_argument("what", choices=["fabnet", "transformer", "finish", "data", "bench"])
    ap.add_argument("kind", nargs="?", choices=["fabnet", "transformer"], help="for finish")
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--width", type=int, choices=[64, 128], default=64,
                    help="model width d (FFN 2d); 128 is the paper's FABNet shape, trained for the results only")
    ap.add_argument("--spec", choices=sorted(SPECS), default="short", help="for data")
    ap.add_argument("--count", type=int, default=0, help="for data: a sample of this many per split")
    args = ap.parse_args()
    if args.what == "bench":
        export_bench([256, 512, 1024, 2048])
    elif args.what == "data":
        describe(args.spec, args.count)
    elif args.what == "finish":
        finish(args.kind)
    else:
        train(args.what, args.steps, args.seed, args.width)
