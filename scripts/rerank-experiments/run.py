"""The fourth round's experiments (BENCHMARKS.md, issue 23): python3 run.py <dump.json> <experiment>...

experiments: losses, trees, window, article, twostage, interactions (default: all). Each prints hit@1 per dealing
(23 / 1 / 2), their mean, and hit@3's mean."""
import os
import sys

exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'common.py')).read())

WINDOW = ['windowAll', 'withBefore', 'withAfter', 'neighbourGain']


def losses():
    run('listwise (shipped)', SHIPPED)
    for loss in ['pairwise', 'lambda', 'maxpair', 'list+pair']:
        run(loss, SHIPPED, linear_fit(SHIPPED, loss=loss))
    for a in [0.5, 2.0]:
        LOSSES[f'list+{a}pair'] = (lambda a: lambda s, P: g_listwise(s, P) + a * g_pairwise(s, P))(a)
        run(f'list+{a}pair', SHIPPED, linear_fit(SHIPPED, loss=f'list+{a}pair'))
    LOSSES['list+lambda'] = lambda s, P: g_listwise(s, P) + g_pairwise(s, P, lam=True)
    run('list+lambda', SHIPPED, linear_fit(SHIPPED, loss='list+lambda'))


def trees():
    for r, d, lr, ml in [(60, 2, 0.1, 20), (100, 3, 0.05, 20), (200, 2, 0.05, 40)]:
        run(f'trees {r} rounds, depth {d}, rate {lr}, min leaf {ml}', SHIPPED, tree_fit(SHIPPED, r, d, lr, ml))
    run('list+pair, trees 60:2:0.1:20', SHIPPED, tree_fit(SHIPPED, 60, 2, 0.1, 20, loss='list+pair'))


def window():
    run('+ window', SHIPPED + WINDOW)
    for f in WINDOW:
        run(f'+ {f}', SHIPPED + [f])
    run('+ articleTerms', SHIPPED + ['articleCoverage', 'articleCount'])
    run('+ articleCoverage', SHIPPED + ['articleCoverage'])
    run('+ window + articleTerms', SHIPPED + WINDOW + ['articleCoverage', 'articleCount'])


NAMES = SHIPPED + ['articleCoverage', 'articleCount']
ns = len(SHIPPED)


def gold_articles():
    ga = np.array([[c['articleId'] == q['article'] for c in q['candidates']] for q in A])
    # seed-qa's questions: the articles holding a positive
    gs = np.array([[any(d['positive'] and d['articleId'] == c['articleId'] for d in q['candidates'])
                    for c in q['candidates']] for q in S])
    return ga, gs


def article_index(qs):
    out = []
    for q in qs:
        ids = {}
        out.append([ids.setdefault(c['articleId'], len(ids)) for c in q['candidates']])
    return np.array(out)


def masked_train(X, P, M, names, **kw):
    """Softmax over the candidates where M holds (the others pushed out by a fixed, huge negative feature)."""
    Xm = np.concatenate([X, (~M)[:, :, None] * -1.0], 2)
    FIXED['_mask'] = 50.0
    w = train(Xm, P & M, names + ['_mask'], **kw)
    del FIXED['_mask']
    return w[:-1]


def twostage():
    """An oracle article: the ceiling of any article model; a sentence model trained within the right article."""
    XA, PA = matrix(A, SHIPPED); XS, PS = matrix(S, SHIPPED)
    GA, GS = gold_articles()
    print('the right article among the candidates', GA.any(1).mean())
    for sd in SEEDS:
        fold = folds_of(A, sd); glob = np.zeros(PA.shape); wit = np.zeros(PA.shape)
        for f in range(5):
            tr = fold != f
            Xt = np.concatenate([XA[tr], XS]); Pt = np.concatenate([PA[tr], PS]); Gt = np.concatenate([GA[tr], GS])
            glob[fold == f] = XA[fold == f] @ train(Xt, Pt, SHIPPED)
            wit[fold == f] = XA[fold == f] @ masked_train(Xt, Pt, Gt, SHIPPED)
        top = glob.argmax(1)
        print(f'dealing {sd}: hit@1 {hits(glob, PA)[0]:.3f}, top candidate in the right article {GA[np.arange(len(A)), top].mean():.3f}; '
              f'the right article given (oracle): the model {hits(np.where(GA, glob, -1e9), PA)[0]:.3f}, '
              f'a model trained within the article {hits(np.where(GA, wit, -1e9), PA)[0]:.3f}')


AGG = ['alignment', 'windowCoverage', 'similarity', 'fused', 'lexicalSentence', 'lexicalChunk', 'denseSentence',
       'denseChunk', 'answerType']
ANAMES = [f'max_{n}' for n in AGG] + [f'mean_{n}' for n in AGG] + ['count', 'coverage', 'title', 'share', 'bestScore',
                                                                   'leadIn']


def article_matrix(X, G, AI, best):
    """Each question's articles (up to 30): aggregates of their candidates' features; T: the article holds the answer."""
    ai = [NAMES.index(n) for n in AGG]
    Q = len(X)
    M = np.zeros((Q, 30), bool); T = np.zeros((Q, 30), bool); F = np.zeros((Q, 30, len(ANAMES)))
    for q in range(Q):
        for a in range(AI[q].max() + 1):
            m = AI[q] == a
            x = X[q][m]
            M[q, a] = True; T[q, a] = G[q][m].any()
            F[q, a] = np.concatenate([x[:, ai].max(0), x[:, ai].mean(0), [
                m.sum() / 30, x[0, NAMES.index('articleCoverage')], x[0, NAMES.index('titleCoverage')],
                x[0, NAMES.index('articleShare')], best[q][m].max(), (x[:, NAMES.index('lead')] > 0).any()]])
    return F, M, T


def article():
    """A separate article model (softmax over a question's articles, target: the article holds the answer), its
    log-probability added to every candidate of the article with a weight beta."""
    XA, PA = matrix(A, NAMES); XS, PS = matrix(S, NAMES)
    GA, GS = gold_articles()
    AA, AS = article_index(A), article_index(S)
    betas = [0, 0.25, 0.5, 1, 2]
    res = {b: [] for b in betas}
    for sd in SEEDS:
        fold = folds_of(A, sd); glob = np.zeros(PA.shape); artlp = np.zeros(PA.shape); right = []
        for f in range(5):
            tr, te = fold != f, fold == f
            Xt = np.concatenate([XA[tr], XS]); Pt = np.concatenate([PA[tr], PS])
            Gt = np.concatenate([GA[tr], GS]); At = np.concatenate([AA[tr], AS])
            w = train(Xt[:, :, :ns], Pt, SHIPPED)
            glob[te] = XA[te][:, :, :ns] @ w
            Ft, Mt, Tt = article_matrix(Xt, Gt, At, Xt[:, :, :ns] @ w)
            wa = masked_train(Ft, Tt, Mt, ANAMES)
            Fe, Me, Te = article_matrix(XA[te], GA[te], AA[te], glob[te])
            s = np.where(Me, Fe @ wa, -1e9); s = s - s.max(1, keepdims=True)
            lp = s - np.log(np.exp(s).sum(1, keepdims=True))
            right.append(np.take_along_axis(Te, lp.argmax(1)[:, None], 1)[:, 0])
            artlp[te] = np.take_along_axis(lp, AA[te], 1)
        print(f'dealing {sd}: the article model picks the right article for {np.concatenate(right).mean():.3f}')
        for b in betas:
            res[b].append(hits(glob + b * artlp, PA)[0])
    for b in betas:
        print(f'  beta {b}: hit@1 {" / ".join(f"{x:.3f}" for x in res[b])} (mean {np.mean(res[b]):.4f})')


CLASSES = {'who': {'من'}, 'what': {'ما', 'ماذا', 'ماهي', 'ماهو'}, 'when': {'متي'}, 'howmany': {'كم'}, 'where': {'اين'},
           'how': {'كيف'}, 'why': {'لماذا', 'لم'}, 'which': {'اي', 'باي', 'لاي', 'في'}, 'yesno': {'هل'}}
CL = list(CLASSES) + ['other']
KEY = ['alignment', 'windowCoverage', 'answerType', 'lead', 'titleCoverage', 'similarity', 'logLength', 'alignmentRank']


def qclass(q):
    t = re.sub('[\u064B-\u0652\u0640]', '', q); t = re.sub('[إأآ]', 'ا', t).replace('ى', 'ي').replace('ة', 'ه')
    w = re.sub(r'[^\u0600-\u06FF0-9a-z ]', ' ', t).split()
    for c, ws in CLASSES.items():
        if w and w[0] in ws:
            return c
    return 'other'


def interactions():
    """The question word times the main features (explicit products), and as splits for boosted trees."""
    def products(qs):
        out = np.zeros((len(qs), 30, len(CL) * len(KEY)))
        for i, q in enumerate(qs):
            c = CL.index(qclass(q['question']))
            for j, n in enumerate(KEY):
                out[i, :, c * len(KEY) + j] = [d['features'].get(n, 0) for d in q['candidates']]
        return out

    def onehot(qs):
        out = np.zeros((len(qs), 30, len(CL)))
        for i, q in enumerate(qs):
            out[i, :, CL.index(qclass(q['question']))] = 1
        return out
    XA, _ = matrix(A, SHIPPED); XS, _ = matrix(S, SHIPPED)
    names = SHIPPED + [f'{c}x{n}' for c in CL for n in KEY]
    EA, ES = np.concatenate([XA, products(A)], 2), np.concatenate([XS, products(S)], 2)
    for l2 in [1e-4, 1e-3, 1e-2]:
        run(f'question word x features, L2 {l2}', names, linear_fit(names, l2=l2), EA, ES)
    tn = SHIPPED + CL
    run('trees 100:3:0.05:20 with the question word', tn, tree_fit(tn, 100, 3, 0.05, 20),
        np.concatenate([XA, onehot(A)], 2), np.concatenate([XS, onehot(S)], 2))


EXPERIMENTS = {f.__name__: f for f in [losses, trees, window, twostage, article, interactions]}
for name in sys.argv[2:] or EXPERIMENTS:
    print(f'## {name}', flush=True)
    EXPERIMENTS[name]()
