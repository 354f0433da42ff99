"""Issue 23, fourth round: the rerank's linear model as scripts/train-reranker.ts trains it (listwise softmax loss, L2
1e-4, Adam, 1,000 epochs, questionNumber fixed at 1), other losses, boosted trees, an article model; cross-validated by
article over the dealings 23, 1, 2 (the script's seeded shuffle), seed-qa's questions in every training fold, ranking
only (hit@1 / hit@3: the first / one of the first three candidates' quotes holds the answer).

The candidates come from `train-reranker.ts --seed --dump <file>`; the file is the first argument (default
/tmp/rank2/dump.json)."""
import json, sys, math, re, time
import numpy as np

SHIPPED = ['fused', 'windowCoverage', 'titleCoverage', 'similarity', 'answerType', 'lexicalSentence', 'lexicalChunk',
           'denseSentence', 'denseChunk', 'listsAgreeing', 'leadForDefinition', 'lead', 'articleShare', 'articleFirst',
           'logLength', 'leansOnBefore', 'questionNumber', 'alignment', 'alignmentRank']
FIXED = {'questionNumber': 1.0}
D = json.load(open(sys.argv[1] if len(sys.argv) > 1 else '/tmp/rank2/dump.json'))
A, S = D['arcd'], D['seed']
SEEDS = [23, 1, 2]

def folds_of(questions, seed, k=5):
    articles = sorted({q['article'] for q in questions})
    s = float(seed)
    for i in range(len(articles) - 1, 0, -1):
        s = (s * 1103515245.0 + 12345.0) % 2.0 ** 31
        j = int(s / 2.0 ** 31 * (i + 1))
        articles[i], articles[j] = articles[j], articles[i]
    fold = {a: i % k for i, a in enumerate(articles)}
    return np.array([fold[q['article']] for q in questions])

def matrix(qs, names):
    X = np.array([[[c['features'].get(n, 0.0) for n in names] for c in q['candidates']] for q in qs], dtype=float)
    P = np.array([[c['positive'] for c in q['candidates']] for q in qs], dtype=bool)
    return X, P

# ---- losses: each returns dL/ds per candidate (questions x 30), averaged per question
def g_listwise(s, P):
    s = s - s.max(1, keepdims=True); e = np.exp(s)
    p = e / e.sum(1, keepdims=True); ep = e * P
    return p - ep / ep.sum(1, keepdims=True)

_PI = {}
def _pos_index(P):
    key = id(P)
    if key not in _PI:
        K = max(1, P.sum(1).max())
        idx = np.zeros((len(P), K), dtype=int); ok = np.zeros((len(P), K), dtype=bool)
        for q in range(len(P)):
            ps = np.flatnonzero(P[q]); idx[q, :len(ps)] = ps; ok[q, :len(ps)] = True
        _PI[key] = (idx, ok, P)
    return _PI[key][:2]

def g_pairwise(s, P, lam=False, sigma=1.0):
    # RankNet over every (positive, negative) pair of a question, each question weighing 1
    idx, ok = _pos_index(P)
    sp = np.take_along_axis(s, idx, 1)  # [Q,K]
    d = sp[:, :, None] - s[:, None, :]  # [Q,K,C]
    w = (ok[:, :, None] & ~P[:, None, :]).astype(float)
    if lam:
        rank = np.argsort(np.argsort(-s, 1, kind='stable'), 1)
        disc = 1 / np.log2(2 + rank)
        w = w * np.abs(np.take_along_axis(disc, idx, 1)[:, :, None] - disc[:, None, :])
    n = w.sum((1, 2), keepdims=True); n[n == 0] = 1
    G = -sigma / (1 + np.exp(np.clip(sigma * d, -50, 50))) * w / n  # dL/ds_pos per pair
    out = -G.sum(1)  # negatives: +rho
    np.add.at(out, (np.arange(len(P))[:, None].repeat(idx.shape[1], 1), idx), G.sum(2) * ok)
    return out

def g_maxpair(s, P, sigma=1.0):
    # the best positive against a softmax of the negatives (soft best negative): hit@1's surrogate
    sp = np.where(P, s, -1e9); sn = np.where(P, -1e9, s)
    mp = sp.max(1, keepdims=True); ep = np.exp(sp - mp) * P; pp = ep / ep.sum(1, keepdims=True)
    mn = sn.max(1, keepdims=True); en = np.exp(sn - mn) * ~P; pn = en / en.sum(1, keepdims=True)
    lp = mp[:, 0] + np.log(ep.sum(1)); ln = mn[:, 0] + np.log(en.sum(1))
    r = 1 / (1 + np.exp(np.clip(lp - ln, -50, 50)))  # d/d(ln - lp) of log(1+exp(ln-lp))
    return (r[:, None] * (pn - pp))

LOSSES = {'listwise': g_listwise, 'pairwise': g_pairwise, 'lambda': lambda s, P: g_pairwise(s, P, lam=True),
          'maxpair': g_maxpair,
          'list+pair': lambda s, P: g_listwise(s, P) + g_pairwise(s, P)}

def train(X, P, names, loss='listwise', l2=1e-4, epochs=1000, rate=0.05):
    use = P.any(1) & ~P.all(1)
    X, P = X[use], P[use]
    w = np.array([FIXED.get(n, 0.0) for n in names])
    free = np.array([n not in FIXED for n in names])
    m = np.zeros_like(w); v = np.zeros_like(w)
    gf = LOSSES[loss]
    for epoch in range(1, epochs + 1):
        G = gf(X @ w, P)
        g = np.einsum('qc,qcf->f', G, X) / len(X) + l2 * w
        g[~free] = 0
        m = 0.9 * m + 0.1 * g; v = 0.999 * v + 0.001 * g * g
        w -= rate * (m / (1 - 0.9 ** epoch)) / (np.sqrt(v / (1 - 0.999 ** epoch)) + 1e-8)
    return w

def boost(X, P, s0, rounds=60, depth=2, rate=0.1, minleaf=20, loss='listwise'):
    """Gradient boosting as train-reranker.ts boosts (Newton leaves), on top of scores s0; returns a predictor."""
    use = P.any(1) & ~P.all(1)
    Xu, Pu, s = X[use], P[use], s0[use].copy()
    Q, C, F = Xu.shape
    rows = Xu.reshape(-1, F)
    thr = []
    for j in range(F):
        vals = np.unique(rows[:, j])
        thr.append(vals[1:] if len(vals) <= 16 else np.unique(vals[(np.arange(1, 16) * len(vals)) // 16]))
    trees = []
    for r in range(rounds):
        if loss == 'listwise':
            e = np.exp(s - s.max(1, keepdims=True)); p = e / e.sum(1, keepdims=True)
            ep = e * Pu; q = ep / ep.sum(1, keepdims=True)
            g = (q - p).reshape(-1); h = np.maximum(p * (1 - p), 1e-6).reshape(-1)
        def grow(idx, level):
            sg, sh = g[idx].sum(), h[idx].sum()
            leaf = rate * sg / (sh + 1)
            if level == depth or len(idx) < 2 * minleaf: return leaf
            best = (0, -1, 0)
            parent = sg * sg / (sh + 1)
            sub = rows[idx]
            for j in range(F):
                for t in thr[j]:
                    l = sub[:, j] < t; ln = l.sum()
                    if ln < minleaf or len(idx) - ln < minleaf: continue
                    lg, lh = g[idx][l].sum(), h[idx][l].sum()
                    gain = lg * lg / (lh + 1) + (sg - lg) ** 2 / (sh - lh + 1) - parent
                    if gain > best[0]: best = (gain, j, t)
            if best[1] < 0: return leaf
            l = sub[:, best[1]] < best[2]
            return (best[1], best[2], grow(idx[l], level + 1), grow(idx[~l], level + 1))
        tree = grow(np.arange(len(rows)), 0)
        trees.append(tree)
        s = s + predict_tree(tree, rows).reshape(Q, C)
    return trees

def predict_tree(tree, rows):
    if not isinstance(tree, tuple): return np.full(len(rows), tree)
    j, t, L, R = tree
    out = np.empty(len(rows)); l = rows[:, j] < t
    out[l] = predict_tree(L, rows[l]); out[~l] = predict_tree(R, rows[~l])
    return out

def predict(trees, X):
    rows = X.reshape(-1, X.shape[2]); out = np.zeros(len(rows))
    for t in trees: out += predict_tree(t, rows)
    return out.reshape(X.shape[:2])

def hits(scores, P):
    order = np.argsort(-scores, axis=1, kind='stable')
    ranked = np.take_along_axis(P, order, 1)
    return ranked[:, 0].mean(), ranked[:, :3].any(1).mean()

def cv(XA, PA, XS, PS, names, seed, fit):
    fold = folds_of(A, seed)
    scores = np.zeros(PA.shape)
    for f in range(5):
        tr = fold != f
        Xt = np.concatenate([XA[tr], XS]); Pt = np.concatenate([PA[tr], PS])
        scores[fold == f] = fit(Xt, Pt, XA[fold == f])
    return hits(scores, PA)

def linear_fit(names, **kw):
    def fit(Xt, Pt, Xe):
        w = train(Xt, Pt, names, **kw)
        return Xe @ w
    return fit

def run(label, names, fit=None, XA=None, XS=None):
    t = time.time()
    if XA is None:
        XA_, PA = matrix(A, names); XS_, PS = matrix(S, names)
    else:
        XA_, XS_ = XA, XS; PA = matrix(A, ['fused'])[1]; PS = matrix(S, ['fused'])[1]
    fit = fit or linear_fit(names)
    res = [cv(XA_, PA, XS_, PS, names, sd, fit) for sd in SEEDS]
    h1 = [r[0] for r in res]; h3 = [r[1] for r in res]
    print(f"{label:50s} hit@1 {' / '.join(f'{x:.3f}' for x in h1)} (mean {np.mean(h1):.4f})  hit@3 mean {np.mean(h3):.4f}  [{time.time()-t:.0f}s]", flush=True)
    return np.mean(h1), np.mean(h3)

def boost_fast(X, P, s0, rounds=60, depth=2, rate=0.1, minleaf=20, lam=1.0):
    """Histogram version of boost (same thresholds and gains); trees as (j, t, L, R)."""
    use = P.any(1) & ~P.all(1)
    Xu, Pu, s = X[use], P[use], s0[use].copy()
    Q, C, F = Xu.shape
    rows = Xu.reshape(-1, F)
    thr, bins = [], np.zeros(rows.shape, dtype=np.int32)
    for j in range(F):
        vals = np.unique(rows[:, j])
        t = vals[1:] if len(vals) <= 16 else np.unique(vals[(np.arange(1, 16) * len(vals)) // 16])
        thr.append(t)
        bins[:, j] = np.searchsorted(t, rows[:, j], side='right')  # value < t[b] <=> bin <= b
    trees = []
    for r in range(rounds):
        e = np.exp(s - s.max(1, keepdims=True)); p = e / e.sum(1, keepdims=True)
        ep = e * Pu; q = ep / ep.sum(1, keepdims=True)
        g = (q - p).reshape(-1); h = np.maximum(p * (1 - p), 1e-6).reshape(-1)
        out = np.zeros(len(rows))
        def grow(idx, level):
            sg, sh = g[idx].sum(), h[idx].sum()
            leaf = rate * sg / (sh + lam)
            if level == depth or len(idx) < 2 * minleaf:
                out[idx] = leaf; return leaf
            best = (0, -1, 0)
            parent = sg * sg / (sh + lam)
            for j in range(F):
                nb = len(thr[j]) + 1
                b = bins[idx, j]
                cg = np.cumsum(np.bincount(b, g[idx], nb))[:-1]
                ch = np.cumsum(np.bincount(b, h[idx], nb))[:-1]
                cn = np.cumsum(np.bincount(b, None, nb))[:-1]
                ok = (cn >= minleaf) & (len(idx) - cn >= minleaf)
                if not ok.any(): continue
                gain = cg ** 2 / (ch + lam) + (sg - cg) ** 2 / (sh - ch + lam) - parent
                gain[~ok] = -1
                k = int(np.argmax(gain))
                if gain[k] > best[0]: best = (gain[k], j, thr[j][k])
            if best[1] < 0:
                out[idx] = leaf; return leaf
            l = rows[idx, best[1]] < best[2]
            return (best[1], best[2], grow(idx[l], level + 1), grow(idx[~l], level + 1))
        tree = grow(np.arange(len(rows)), 0)
        trees.append(tree)
        s = s + out.reshape(Q, C)
    return trees

def tree_fit(names, rounds=60, depth=2, rate=0.1, minleaf=20, loss='listwise', **kw):
    def fit(Xt, Pt, Xe):
        w = train(Xt, Pt, names, loss=loss)
        trees = boost_fast(Xt, Pt, Xt @ w, rounds, depth, rate, minleaf, **kw)
        return Xe @ w + predict(trees, Xe)
    return fit
