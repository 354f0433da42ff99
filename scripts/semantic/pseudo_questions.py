"""Issue 23 item 4: pseudo-questions from the ANT articles (ant.jsonl, analysed by analyse-lines.ts), each with its
article's sentences as candidates and the sentence it was made from as the positive: the "right article, wrong
sentence" choice the rerank gets wrong most. Kinds: the headline asks for the first sentence; a cloze question: a
sentence with a year asks «متى», with another number «كم», else «ما»/«من», with the year or number taken out and
about half of its other words kept (in order). Writes /tmp/sem/pq.jsonl, an article a line ({"texts": [sentences...,
questions...], "sentences": k, "positives": [the sentence each question was made from]}) for embed-lines.ts."""
import json, random, sys

STOP = {'في', 'من', 'الي', 'علي', 'عن', 'مع', 'ان', 'و', 'قد', 'كان', 'كانت', 'التي', 'الذي', 'هذا', 'هذه', 'او'}
rnd = random.Random(7)
limit = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
n = 0
with open('/tmp/sem/pq.jsonl', 'w', encoding='utf-8') as out:
    for k, line in enumerate(open('/tmp/sem/ant.jsonl', encoding='utf-8')):
        if k % 5:  # every fifth article: a sample spread over both corpora
            continue
        a = json.loads(line)
        sents = [s for s in a['sentences'] if len(s['words']) >= 6][:30]
        if len(sents) < 3:
            continue
        texts = [s['text'] for s in sents]
        questions, positives = [], []
        if len(a['title']) >= 3:
            questions.append(' '.join(a['title'])); positives.append(0)
        for i, s in enumerate(sents):
            if rnd.random() > 0.3:
                continue
            ws = s['words']
            years = [w for w in ws if w.isdigit() and 1000 <= int(w) <= 2099]
            numbers = [w for w in ws if w[:1].isdigit()]
            if years:
                wh, drop = 'متي', set(years)
            elif numbers:
                wh, drop = 'كم', set(numbers)
            else:
                wh, drop = rnd.choice(['ما', 'من']), set()
            kept = [w for w in ws if w not in drop and w not in STOP and rnd.random() < 0.5]
            if len(kept) >= 2:
                questions.append(' '.join([wh] + kept)); positives.append(i)
        out.write(json.dumps({'texts': texts + questions, 'sentences': len(texts), 'positives': positives},
                             ensure_ascii=False) + '\n')
        n += 1
        if n >= limit:
            break
print(n, 'articles', file=sys.stderr)
