"""Issue 23 item 4: cross-validated ranking figures of the rerank's linear model with extra features, on the
candidates train-reranker.ts --dump wrote. The same model as scripts/train-reranker.ts (listwise softmax loss, L2
1e-3, Adam, 300 epochs, questionNumber fixed at 1), the same dealing of articles into folds (its seeded LCG); ranking
only: hit@1/hit@3 are whether the first / one of the first three candidates' quotes holds the answer."""
import json
import numpy as np

SHIPPED = ['fused', 'windowCoverage', 'titleCoverage', 'similarity', 'answerType', 'lexicalSentence', 'lexicalChunk',
           'denseSentence', 'denseChunk', 'listsAgreeing', 'leadForDefinition', 'lead', 'articleShare', 'articleFirst',
           'logLength', 'leansOnBefore', 'questionNumber', 'alignment', 'alignmentRank']
FIXED = {'questionNumber': 1.0}


def load(dump='/tmp/sem/dump.json'):
    return json.load(open(dump))['arcd']


def folds_of(questions, seed, k=5):
    articles = sorted({q['article'] for q in questions})
    s = float(seed)  # JavaScript's doubles: the product loses bits past 2^53, as it does there
    for i in range(len(articles) - 1, 0, -1):
        s = (s * 1103515245.0 + 12345.0) % 2.0 ** 31
        j = int(s / 2.0 ** 31 * (i + 1))
        articles[i], articles[j] = articles[j], articles[i]
    fold = {a: i % k for i, a in enumerate(articles)}
    return np.array([fold[q['article']] for q in questions])


def train(X, P, names, l2=1e-3, epochs=300, rate=0.05):
    """X: [questions, 30, features]; P: [questions, 30] bool. The listwise loss of train-reranker.ts."""
    use = P.any(1) & ~P.all(1)
    X, P = X[use], P[use]
    w = np.array([FIXED.get(n, 0.0) for n in names])
    free = np.array([n not in FIXED for n in names])
    m = np.zeros_like(w); v = np.zeros_like(w)
    for epoch in range(1, epochs + 1):
        s = X @ w
        s -= s.max(1, keepdims=True)
        e = np.exp(s)
        p = e / e.sum(1, keepdims=True)
        ep = e * P
        q = ep / ep.sum(1, keepdims=True)
        g = np.einsum('qc,qcf->f', p - q, X) / len(X) + l2 * w
        g[~free] = 0
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w -= rate * (m / (1 - 0.9 ** epoch)) / (np.sqrt(v / (1 - 0.999 ** epoch)) + 1e-8)
    return w


def matrix(questions, names, extra=None):
    X = np.array([[[c['features'].get(n, 0.0) for n in names] for c in q['candidates']] for q in questions])
    if extra is not None:
        X = np.concatenate([X, extra], axis=2)
    P = np.array([[c['positive'] for c in q['candidates']] for q in questions])
    return X, P


def cross_validate(X, P, fold, k=5):
    """hit@1, hit@3 of the model trained on the other folds, every question counted (no answer reachable: a miss)."""
    scores = np.zeros(P.shape)
    for f in range(k):
        w = train(X[fold != f], P[fold != f], NAMES_FOR_FIXED[:X.shape[2]])
        scores[fold == f] = X[fold == f] @ w
    order = np.argsort(-scores, axis=1, kind='stable')
    ranked = np.take_along_axis(P, order, 1)
    return ranked[:, 0].mean(), ranked[:, :3].any(1).mean()


NAMES_FOR_FIXED = SHIPPED + [f'extra{i}' for i in range(64)]
