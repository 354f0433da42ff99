"""Issue 23 item 4, idea (b): a question-sentence matching model over the built-in model's vectors, trained on the
ANT pseudo-questions (pseudo_questions.py, embedded by embed-lines.ts) to pick, among its article's sentences, the
one a question was made from: score(q, s) = a * q.s + (U q).(V s), U and V of rank r (the cosine kept, the bilinear
a learned correction; V starts at 0, so training starts from the cosine). Listwise softmax loss over the article's sentences, Adam, mini-batches. Then its scores for the
dumped ARCD candidates as rerank features, measured with evaluate.py over three dealings of the folds.

  python3 train_bilinear.py [rank] [epochs]"""
import json, sys
import numpy as np
from evaluate import SHIPPED, load, matrix, folds_of, cross_validate

D = 256
rank = int(sys.argv[1]) if len(sys.argv) > 1 else 32
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
rng = np.random.default_rng(1)

# The pseudo-questions: per article, its sentences' vectors, its questions' vectors and positives.
meta = [json.loads(l) for l in open('/tmp/sem/pq.jsonl')]
vec = np.fromfile('/tmp/sem/pq.f32', dtype=np.float32).reshape(-1, D)
arts, at = [], 0
for m in meta:
    k, n = m['sentences'], len(m['texts'])
    if m['positives']:
        arts.append((vec[at:at + k], vec[at + k:at + n], np.array(m['positives'], dtype=int)))
    at += n
assert at == len(vec)
held = arts[::10]  # every tenth article held out: the pseudo-task's own check
train = [a for i, a in enumerate(arts) if i % 10]


def pseudo_accuracy(U, alpha, set_, cosine=False):
    hit = tot = 0
    for S, Qv, pos in set_:
        sc = alpha * Qv @ S.T + (0 if cosine else (Qv @ U.T) @ (S @ V.T).T)
        hit += (sc.argmax(1) == pos).sum(); tot += len(pos)
    return hit / tot


U = rng.normal(0, 0.1, (rank, D))
V = np.zeros((rank, D))
alpha = 10.0
print(f'rank {rank}: pseudo-question accuracy held out, cosine alone {pseudo_accuracy(U, 1.0, held, cosine=True):.3f}', flush=True)
mU, vU, mV, vV, ma, va, step = 0, 0, 0, 0, 0.0, 0.0, 0
lr, l2 = 0.01, 1e-4
for epoch in range(epochs):
    order = rng.permutation(len(train))
    for b in range(0, len(order), 64):
        G = np.zeros((D, D)); ga = 0.0; nq = 0
        for i in order[b:b + 64]:
            S, Qv, pos = train[i]
            sc = alpha * Qv @ S.T + (Qv @ U.T) @ (S @ V.T).T
            sc -= sc.max(1, keepdims=True)
            p = np.exp(sc); p /= p.sum(1, keepdims=True)
            p[np.arange(len(pos)), pos] -= 1  # dL/dscore
            d = p @ S  # per question: sum_j (p_j - y_j) s_j
            G += Qv.T @ d
            ga += (p * (Qv @ S.T)).sum()
            nq += len(pos)
        G /= nq; ga /= nq
        gU = V @ G.T + l2 * U
        gV = U @ G + l2 * V
        step += 1
        mU = 0.9 * mU + 0.1 * gU; vU = 0.999 * vU + 0.001 * gU * gU
        mV = 0.9 * mV + 0.1 * gV; vV = 0.999 * vV + 0.001 * gV * gV
        U = U - lr * (mU / (1 - 0.9 ** step)) / (np.sqrt(vU / (1 - 0.999 ** step)) + 1e-8)
        V = V - lr * (mV / (1 - 0.9 ** step)) / (np.sqrt(vV / (1 - 0.999 ** step)) + 1e-8)
        ma = 0.9 * ma + 0.1 * ga; va = 0.999 * va + 0.001 * ga * ga
        alpha -= lr * (ma / (1 - 0.9 ** step)) / (np.sqrt(va / (1 - 0.999 ** step)) + 1e-8)
    print(f'epoch {epoch + 1}: held-out accuracy {pseudo_accuracy(U, alpha, held):.3f}, alpha {alpha:.2f}', flush=True)
np.savez(f'/tmp/sem/bilinear-{rank}.npz', U=U, V=V, alpha=alpha)

# The ARCD candidates: the question's and each candidate's vectors (dumptexts: question, 30 sentences, befores, afters).
Q = load()
dv = np.fromfile('/tmp/sem/dump.f32', dtype=np.float32).reshape(len(Q), 91, D)
qv, sv = dv[:, 0], dv[:, 1:31]
cos = np.einsum('qd,qcd->qc', qv, sv)
bil = np.einsum('qr,qcr->qc', qv @ U.T, sv @ V.T)
score = alpha * cos + bil
order = np.argsort(-score, axis=1, kind='stable')
ranks = np.empty_like(score); np.put_along_axis(ranks, order, np.arange(30)[None].repeat(len(Q), 0), 1)
F = np.stack([score, bil, 1 / (1 + ranks / 5)], axis=2)
X, P = matrix(Q, SHIPPED)
print('ARCD, the model alone: hit@1', np.take_along_axis(P, order, 1)[:, 0].mean(),
      '(the cosine alone:', np.take_along_axis(P, np.argsort(-cos, 1, kind='stable'), 1)[:, 0].mean(), ')')
for name, cols in {'shipped': None, '+score': [0], '+bilinear part': [1], '+score+rank': [0, 2]}.items():
    Xv = X if cols is None else np.concatenate([X, F[:, :, cols]], axis=2)
    r = [cross_validate(Xv, P, folds_of(Q, seed)) for seed in (23, 1, 2)]
    print(f'{name:16} hit@1 ' + ' / '.join(f'{a:.3f}' for a, _ in r) + f' (mean {np.mean([a for a, _ in r]):.3f})'
          + '  hit@3 ' + ' / '.join(f'{b:.3f}' for _, b in r) + f' (mean {np.mean([b for _, b in r]):.3f})', flush=True)
