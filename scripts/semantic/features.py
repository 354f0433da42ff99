"""Issue 23 item 4: the translation table's features for the dumped candidates (train-reranker.ts --dump, its texts
analysed by analyse-lines.ts into /tmp/sem/dumpterms.jsonl), then the cross-validated figures with them (evaluate.py)."""
import json, math, sys
import numpy as np
from evaluate import SHIPPED, load, matrix, folds_of, cross_validate
from train_translation import classed, wh_of


def table_for(path, wanted):
    d = np.load(path)
    words = d['words']
    idx = {w: i for i, w in enumerate(words)}
    ids = {idx[w] for w in wanted if w in idx}
    q, s, t = d['q'], d['s'], d['t']
    keep = np.isin(q, list(ids))
    table = {}
    for a, b, c in zip(q[keep], s[keep], t[keep]):
        table[(words[a], words[b])] = c
    # background: how often each term is a question term (over the links' question side)
    counts = np.bincount(q, minlength=len(words))
    bg = {w: (counts[idx[w]] + 0.5) / counts.sum() for w in wanted if w in idx}
    return table, bg


def features(Q, terms, path, lam=0.5):
    qs = []
    for qn, tq in zip(Q, terms):
        qterms = [classed(t) for t in tq['terms'][0]]
        wh = wh_of(tq['words'][0])
        qs.append((qterms, wh))
    wanted = {t for qt, wh in qs for t in qt} | {wh for _, wh in qs if wh}
    table, bg = table_for(path, wanted)
    out = np.zeros((len(Q), 30, 4))
    for n, ((qterms, wh), tq) in enumerate(zip(qs, terms)):
        for c in range(30):
            sent = [classed(t) for t in tq['terms'][1 + c]] + ['<null>']
            bl, mx, k = 0.0, 0.0, 0
            for t in qterms:
                if t not in bg:
                    continue
                probs = [table.get((t, s), 0.0) for s in sent]
                bl += math.log(lam * sum(probs) / len(sent) + (1 - lam) * bg[t])
                mx += max(probs)
                k += 1
            out[n, c, 0] = bl / k if k else 0.0
            out[n, c, 1] = mx / k if k else 0.0
            out[n, c, 2] = max(table.get((wh, s), 0.0) for s in sent) if wh else 0.0
        # the rank by the likelihood, as the rerank weighs a list's rank
        order = np.argsort(-out[n, :, 0], kind='stable')
        ranks = np.empty(30); ranks[order] = np.arange(30)
        out[n, :, 3] = 1 / (1 + ranks / 5)
    return out


if __name__ == '__main__':
    path = sys.argv[1] if len(sys.argv) > 1 else '/tmp/sem/translation.npz'
    Q = load()
    terms = [json.loads(l) for l in open('/tmp/sem/dumpterms.jsonl')]
    F = features(Q, terms, path)
    np.save(path.replace('.npz', '-features.npy'), F)
    X, P = matrix(Q, SHIPPED)
    variants = {'shipped': None, '+likelihood': [0], '+likelihood+rank': [0, 3], '+max': [1], '+wh': [2],
                '+all four': [0, 1, 2, 3]}
    for name, cols in variants.items():
        Xv = X if cols is None else np.concatenate([X, F[:, :, cols]], axis=2)
        r = [cross_validate(Xv, P, folds_of(Q, seed)) for seed in (23, 1, 2)]
        print(f'{name:20} hit@1 ' + ' / '.join(f'{a:.3f}' for a, _ in r) + f' (mean {np.mean([a for a, _ in r]):.3f})'
              + '  hit@3 ' + ' / '.join(f'{b:.3f}' for _, b in r) + f' (mean {np.mean([b for _, b in r]):.3f})')
