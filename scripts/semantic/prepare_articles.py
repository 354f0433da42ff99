#!/usr/bin/env python3
"""Issue 23 item 4, step 1: the ANT corpora as articles (title, body) in JSON lines, for pseudo-questions.
Run from the model recipe's work folder after its extract_sources.py (./build/arcorpus/raw/*.txt, an article a
blank-line-separated block, its first line the title). As the model's recipe does (prepare_corpus.py), any line sharing
an 8-token run with ARCD (contexts and questions) or the seed articles is dropped (an article whose title is, whole),
and exact duplicate lines too. Writes ./build/arcorpus/articles.jsonl."""
import glob, hashlib, json, os, sys
sys.path.insert(0, os.environ.get('RECIPE', './build/modelbuild'))
from arnorm import tokens  # the model recipe's normalization

K = 8
def shingles(toks):
    return {' '.join(toks[i:i + K]) for i in range(max(0, len(toks) - K + 1))}

banned = set()
for art in json.load(open('./steering/shared/eval/arcd-train.json'))['data']:
    for p in art['paragraphs']:
        banned |= shingles(tokens(p['context']))
        for q in p['qas']:
            banned |= shingles(tokens(q['question']))
for f in glob.glob('./steering/shared/corpus/*.txt'):
    for ln in open(f, encoding='utf-8'):
        banned |= shingles(tokens(ln))

def leaks(ln):
    t = tokens(ln)
    return len(t) >= K and any(' '.join(t[j:j + K]) in banned for j in range(len(t) - K + 1))

def articles(path):
    cur = []
    for ln in open(path, encoding='utf-8'):
        ln = ln.rstrip('\n')
        if not ln.strip():
            if cur: yield cur
            cur = []
        else:
            cur.append(ln)
    if cur: yield cur

seen, n, leaked, dup = set(), 0, 0, 0
with open('./build/arcorpus/articles.jsonl', 'w', encoding='utf-8') as out:
    for path in sorted(glob.glob('./build/arcorpus/raw/*.txt')):
        for art in articles(path):
            if len(art) < 2 or leaks(art[0]):
                continue
            body = []
            for ln in art[1:]:
                h = hashlib.md5(ln.encode()).digest()[:8]
                if h in seen: dup += 1; continue
                seen.add(h)
                if leaks(ln): leaked += 1; continue
                body.append(ln)
            if body:
                out.write(json.dumps({'title': art[0], 'body': '\n'.join(body)}, ensure_ascii=False) + '\n'); n += 1
print(f'{n} articles; {leaked} lines dropped for sharing 8 tokens with ARCD or the seed articles; {dup} duplicates',
      file=sys.stderr)
