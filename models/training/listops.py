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
    (increasing stride), as fabnet.md §2. Parameters: 2·stacks·n·log2(n) + out."""

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


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["fabnet", "transformer"])
    ap.add_argument("--steps", type=int, default=3000)
    args = ap.parse_args()
    train(args.kind, args.steps)
