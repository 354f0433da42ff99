"""Issue 23 item 4: the translation table trained on ARCD's own questions (question -> the sentence holding the
answer) instead of pseudo-questions, so that it learns the questions' ways of asking («أين» -> «في» + a place, «ما
اسم» -> a name). Nested cross-validation: for each test fold, the table is trained on the other folds' questions, and
the rerank's linear model is trained on those questions' features computed out of fold (an inner table per inner
fold), since a table's in-sample values would get a weight they do not deserve."""
import json, math
import numpy as np
from evaluate import SHIPPED, NAMES_FOR_FIXED, load, matrix, folds_of, train as fit
from train_translation import classed, train as em

WH2 = {'من', 'ما', 'ماذا', 'متي', 'اين', 'كم', 'كيف', 'لماذا', 'هل', 'اي', 'ماهي', 'ماهو', 'لمن', 'ممن', 'بكم', 'في'}


def wh_of(words):
    """The question's asking words: its first question word and the word after it («Q:ما اسم», «Q:في اي»)."""
    for i, w in enumerate(words[:3]):
        if w in WH2:
            return ['Q:' + w, 'Q:' + w + ' ' + (words[i + 1] if i + 1 < len(words) else '')]
    return []


Q = load()
terms = [json.loads(l) for l in open('/tmp/sem/dumpterms.jsonl')]
qs = [([classed(t) for t in tq['terms'][0]], wh_of(tq['words'][0])) for tq in terms]
sents = [[[classed(t) for t in tq['terms'][1 + c]] for c in range(30)] for tq in terms]
X, P = matrix(Q, SHIPPED)


def table_of(idx):
    pairs = []
    for i in idx:
        pos = [c for c in range(30) if P[i, c]]
        if pos:
            pairs.append((qs[i][0] + qs[i][1], sents[i][pos[0]]))
    vocab, kq, ks, t = em(pairs, iterations=8, min_count=1)
    words = sorted(vocab, key=vocab.get)
    return {(words[a], words[b]): c for a, b, c in zip(kq, ks, t)}


def feats(table, idx, lam=0.5):
    out = np.zeros((len(idx), 30, 3))
    for n, i in enumerate(idx):
        qterms, wh = qs[i]
        for c in range(30):
            s = sents[i][c] + ['<null>']
            bl = sum(math.log(lam * (sum(table.get((t, w), 0.0) for w in s) + (t in s)) / len(s) + 1e-4)
                     for t in qterms)
            out[n, c, 0] = bl / len(qterms) if qterms else 0
            out[n, c, 1] = max((table.get((wh[0], w), 0.0) for w in s), default=0) if wh else 0
            out[n, c, 2] = max((table.get((wh[1], w), 0.0) for w in s), default=0) if wh else 0
    return out


import sys, io, contextlib
for seed in (23, 1, 2):
    fold = folds_of(Q, seed)
    res = {}
    scores = {k: np.zeros(P.shape) for k in ('shipped', '+likelihood', '+asking words', '+all three')}
    cols = {'shipped': [], '+likelihood': [0], '+asking words': [1, 2], '+all three': [0, 1, 2]}
    for f in range(5):
        tr = np.where(fold != f)[0]; te = np.where(fold == f)[0]
        Ftr = np.zeros((len(tr), 30, 3))
        with contextlib.redirect_stderr(io.StringIO()):
            for g in set(fold[tr]):
                inner = tr[fold[tr] == g]
                Ftr[fold[tr] == g] = feats(table_of(tr[fold[tr] != g]), inner)
            Fte = feats(table_of(tr), te)
        for k, c in cols.items():
            Xtr = np.concatenate([X[tr], Ftr[:, :, c]], axis=2); Xte = np.concatenate([X[te], Fte[:, :, c]], axis=2)
            w = fit(Xtr, P[tr], NAMES_FOR_FIXED[:Xtr.shape[2]])
            scores[k][te] = Xte @ w
    for k, s in scores.items():
        ranked = np.take_along_axis(P, np.argsort(-s, 1, kind='stable'), 1)
        print(f'seed {seed:2} {k:16} hit@1 {ranked[:, 0].mean():.3f} hit@3 {ranked[:, :3].any(1).mean():.3f}', flush=True)
