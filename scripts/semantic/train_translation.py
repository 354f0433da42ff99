"""Issue 23 item 4: a lexical translation table P(question term | sentence term) (IBM model 1, as Berger & Lafferty
use it for question answering), trained by EM on pseudo-questions made from the ANT corpora:
  - headline -> lead: an article's title asks for its first sentence;
  - cloze: a sentence with a year (or another number) asks «متى» («كم») with the year (number) taken out and about
    half of its other terms kept.
Input: /tmp/sem/ant.jsonl (prepare_articles.py, then analyse-lines.ts: terms as answering sees them).
Output: /tmp/sem/translation.npz (vocabulary, the sparse table, background probabilities)."""
import json, random, sys
import numpy as np

WH = {'من', 'ما', 'ماذا', 'متي', 'اين', 'كم', 'كيف', 'لماذا', 'هل', 'اي', 'ماهي', 'ماهو', 'لمن', 'ممن', 'بكم'}


def classed(t):
    """Numbers as their kind: a year, or another number (a question asks for one, never for its value)."""
    if t[:1].isdigit():
        try:
            v = float(t.replace(',', ''))
        except ValueError:
            return '#N'
        return '#Y' if 1000 <= v <= 2099 and v == int(v) else '#N'
    return t


def wh_of(words):
    """The question word among the question's first three words ('Q:' + it), or None."""
    for w in words[:3]:
        if w in WH:
            return 'Q:' + w
    return None


def pairs_of(path, cloze_rate=0.5, seed=1, limit=None, lead_sentences=1):
    rnd = random.Random(seed)
    pairs = []
    for n, line in enumerate(open(path, encoding='utf-8')):
        if limit and n >= limit:
            break
        a = json.loads(line)
        sents = [s for s in a['sentences'] if len(s['terms']) >= 4]
        if not sents:
            continue
        title = [classed(t) for t in a['titleTerms']]
        if len(title) >= 2:
            for s in sents[:lead_sentences]:
                pairs.append((title, [classed(t) for t in s['terms']]))
        for s in sents:
            terms = [classed(t) for t in s['terms']]
            if len(terms) > 60 or rnd.random() > cloze_rate:
                continue
            kinds = [t for t in terms if t in ('#Y', '#N')]
            if not kinds:
                continue
            ask = '#Y' if '#Y' in kinds else '#N'
            rest = [t for t in terms if t != ask and rnd.random() < 0.5]
            if len(rest) >= 2:
                pairs.append((['Q:متي' if ask == '#Y' else 'Q:كم'] + rest, terms))
    return pairs


def train(pairs, iterations=8, min_count=3):
    vocab = {'<null>': 0}
    count = {}
    for q, s in pairs:
        for t in set(q) | set(s):
            count[t] = count.get(t, 0) + 1
    keep = lambda t: count[t] >= min_count
    qi, sj, grp = [], [], []
    g = 0
    for q, s in pairs:
        sid = [0] + [vocab.setdefault(t, len(vocab)) for t in s if keep(t)]
        for t in q:
            if not keep(t):
                continue
            i = vocab.setdefault(t, len(vocab))
            qi.extend([i] * len(sid)); sj.extend(sid); grp.extend([g] * len(sid)); g += 1
    qi = np.array(qi, np.int64); sj = np.array(sj, np.int64); grp = np.array(grp, np.int64)
    V = len(vocab)
    keys, inverse = np.unique(qi * V + sj, return_inverse=True)
    kq, ks = keys // V, keys % V
    print(f'{len(pairs)} pairs, vocabulary {V}, {len(qi)} links, {len(keys)} term pairs', file=sys.stderr)
    t = np.full(len(keys), 1.0)
    for it in range(iterations):
        link = t[inverse]
        norm = np.bincount(grp, weights=link, minlength=g)
        c = np.bincount(inverse, weights=link / norm[grp], minlength=len(keys))
        total = np.bincount(ks, weights=c, minlength=V)
        t = c / total[ks]
        print(f'iteration {it + 1}: log-likelihood per link {np.log(norm).sum() / g:.3f}', file=sys.stderr)
    return vocab, kq, ks, t


if __name__ == '__main__':
    limit = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1] != 'all' else None
    cloze = float(sys.argv[2]) if len(sys.argv) > 2 else 0.5
    lead = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    out = sys.argv[4] if len(sys.argv) > 4 else '/tmp/sem/translation.npz'
    pairs = pairs_of('/tmp/sem/ant.jsonl', cloze_rate=cloze, limit=limit, lead_sentences=lead)
    vocab, kq, ks, t = train(pairs)
    # background: each term's share of the questions' terms
    bg = np.bincount(kq, minlength=len(vocab)).astype(float)
    words = np.array(sorted(vocab, key=vocab.get))
    np.savez_compressed(out, words=words, q=kq, s=ks, t=t)
