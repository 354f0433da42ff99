"""Issue 23 item 4, idea (b) on words: the shipped word alignment (src/answering/alignment.ts: each question word's
closest token in the sentence, IDF-weighted mean of the cosines, below 0 counted as 0) with the token vectors passed
through a learned map W (256 x 256, starting at the identity, so training starts from what ships), trained on the
ANT pseudo-questions (pseudo_questions.py) to pick the sentence a question was made from among its article's
sentences (listwise softmax, Adam, L2 towards the identity). Token ids and rows from token-lines.ts. Then the
learned alignment and its rank as rerank features for the dumped ARCD candidates, over three dealings of the folds.

  python3 train_maxsim.py [epochs] [l2]"""
import json, math, sys
import numpy as np
from evaluate import SHIPPED, load, matrix, folds_of, cross_validate

epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
l2 = float(sys.argv[2]) if len(sys.argv) > 2 else 1e-3
D = 256
ids_order = json.load(open('/tmp/sem/tok.ids.json'))
slot = {i: n for n, i in enumerate(ids_order)}
R = np.fromfile('/tmp/sem/tok.rows', dtype=np.float32).reshape(-1, D).astype(np.float64)
lines = [json.loads(l) for l in open('/tmp/sem/tok.jsonl')]
Q = load()
dump_tok, pq_tok = lines[:len(Q)], lines[len(Q):]
meta = [json.loads(l) for l in open('/tmp/sem/pq.jsonl')]
assert len(meta) == len(pq_tok)

# IDF of words over the pseudo-questions' articles' sentences (the index's IDF stands in for it at answer time).
df, nsent = {}, 0
for m, t in zip(meta, pq_tok):
    for ws in t['words'][:m['sentences']]:
        nsent += 1
        for w in set(ws):
            df[w] = df.get(w, 0) + 1
idf = lambda w: math.log((nsent + 1) / (df.get(w, 0) + 0.5))


def question_side(words, ids):
    """The question's token rows' slots and weights (a word's weight shared among its tokens, as alignment.ts)."""
    rows, weights = [], []
    for w, ws in zip(words, ids):
        for i in ws:
            rows.append(slot[i]); weights.append(idf(w) / len(ws))
    return np.array(rows, dtype=int), np.array(weights)


def sentence_side(id_lists):
    """Every sentence's token slots, as one array of distinct slots and a padded index into it (-1: none)."""
    per = [sorted({slot[i] for ws in s for i in ws}) for s in id_lists]
    uniq = sorted({x for p in per for x in p})
    pos = {x: n for n, x in enumerate(uniq)}
    L = max(1, max(len(p) for p in per))
    idx = np.full((len(per), L), -1)
    for j, p in enumerate(per):
        idx[j, :len(p)] = [pos[x] for x in p]
    return np.array(uniq, dtype=int), idx


def alignments(W, qrows, qw, srows, sidx):
    """Per sentence: the weighted mean over the question's tokens of their best (>= 0) dot with its tokens, and
    which of its tokens that was."""
    X = R[qrows] @ W.T
    T = R[srows] @ W.T
    sims = X @ T.T  # question tokens x sentence tokens
    sims = np.concatenate([sims, np.full((len(qrows), 1), -np.inf)], axis=1)
    padded = sims[:, sidx]  # question tokens x sentences x L (-1 points at the -inf column)
    k = padded.argmax(2)
    best = np.maximum(np.take_along_axis(padded, k[:, :, None], 2)[:, :, 0], 0)
    return (qw @ best) / qw.sum(), best, k


# The pseudo-questions, per article.
arts = []
for m, t in zip(meta, pq_tok):
    k = m['sentences']
    srows, sidx = sentence_side(t['ids'][:k])
    qs = []
    for q, pos in zip(range(k, len(t['ids'])), m['positives']):
        qrows, qw = question_side(t['words'][q], t['ids'][q])
        if len(qrows) and qw.sum() > 0:
            qs.append((qrows, qw, pos))
    if qs and len(srows):
        arts.append((srows, sidx, qs))
held = arts[::10]
train = [a for i, a in enumerate(arts) if i % 10]
print(f'{sum(len(a[2]) for a in train)} training pseudo-questions in {len(train)} articles, '
      f'{sum(len(a[2]) for a in held)} held out', flush=True)


def pseudo_accuracy(W):
    hit = tot = 0
    for srows, sidx, qs in held:
        for qrows, qw, pos in qs:
            sc, _, _ = alignments(W, qrows, qw, srows, sidx)
            hit += sc.argmax() == pos; tot += 1
    return hit / tot


W = np.eye(D)
alpha = 20.0
print(f'held-out pseudo-question accuracy at the identity (what ships): {pseudo_accuracy(W):.3f}', flush=True)
rng = np.random.default_rng(1)
mW = vW = 0; ma = va = 0.0; step = 0; lr = 0.002
for epoch in range(epochs):
    for b0 in range(0, len(train), 32):
        G = np.zeros((D, D)); ga = 0.0; n = 0
        for ai in rng.permutation(len(train))[:32] if False else range(b0, min(b0 + 32, len(train))):
            srows, sidx, qs = train[ai]
            for qrows, qw, pos in qs:
                sc, best, k = alignments(W, qrows, qw, srows, sidx)
                z = alpha * sc; z -= z.max(); p = np.exp(z); p /= p.sum()
                d = p.copy(); d[pos] -= 1  # dL/dscore_j, times alpha below
                ga += d @ sc
                # dscore_j/dM = sum_i qw_i/sum(qw) [best_ij > 0] x_i y_k*(i,j)^T
                coef = (qw[:, None] / qw.sum()) * (best > 0) * (alpha * d)[None, :]  # tokens x sentences
                tok = np.take_along_axis(sidx, k.T, 1).T  # question tokens x sentences: the sentence token slot
                C = np.zeros((len(qrows), len(srows)))
                np.add.at(C, (np.repeat(np.arange(len(qrows)), sidx.shape[0]), tok.ravel()), coef.ravel())
                G += R[qrows].T @ C @ R[srows]
                n += 1
        G /= n; ga /= n
        gW = W @ (G + G.T) + l2 * (W - np.eye(D))
        step += 1
        mW = 0.9 * mW + 0.1 * gW; vW = 0.999 * vW + 0.001 * gW * gW
        W = W - lr * (mW / (1 - 0.9 ** step)) / (np.sqrt(vW / (1 - 0.999 ** step)) + 1e-8)
        ma = 0.9 * ma + 0.1 * ga; va = 0.999 * va + 0.001 * ga * ga
        alpha -= 0.05 * (ma / (1 - 0.9 ** step)) / (math.sqrt(va / (1 - 0.999 ** step)) + 1e-8)
    print(f'epoch {epoch + 1}: held-out accuracy {pseudo_accuracy(W):.3f}, alpha {alpha:.1f}, '
          f'|W - I| {np.linalg.norm(W - np.eye(D)):.2f}', flush=True)
np.save('/tmp/sem/maxsim-W.npy', W)

# ARCD: the dumped candidates (dumptexts: question, 30 sentences, 30 before, 30 after).
def arcd_features(W):
    F = np.zeros((len(Q), 30, 2))
    for n, t in enumerate(dump_tok):
        qrows, qw = question_side(t['words'][0], t['ids'][0])
        if not len(qrows) or qw.sum() == 0:
            continue
        srows, sidx = sentence_side(t['ids'][1:31])
        if not len(srows):
            continue
        sc, _, _ = alignments(W, qrows, qw, srows, sidx)
        F[n, :, 0] = sc
        above = (sc[None, :] > sc[:, None]).sum(1)  # ties share the better rank, as features.ts
        F[n, :, 1] = 1 / (1 + above / 5)
    return F


X, P = matrix(Q, SHIPPED)
X0, _ = matrix(Q, SHIPPED[:-2])  # without the shipped alignment
F_id, F_w = arcd_features(np.eye(D)), arcd_features(W)
for name, Xv in {'shipped': X, 'shipped + learned alignment, rank': np.concatenate([X, F_w], 2),
                 'identity here instead of shipped alignment': np.concatenate([X0, F_id], 2),
                 'learned instead of shipped alignment': np.concatenate([X0, F_w], 2)}.items():
    r = [cross_validate(Xv, P, folds_of(Q, seed)) for seed in (23, 1, 2)]
    print(f'{name:44} hit@1 ' + ' / '.join(f'{a:.3f}' for a, _ in r) + f' (mean {np.mean([a for a, _ in r]):.3f})'
          + '  hit@3 ' + ' / '.join(f'{b:.3f}' for _, b in r) + f' (mean {np.mean([b for _, b in r]):.3f})', flush=True)
