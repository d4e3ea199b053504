"""Time gensim's Word2Vec on a corpus file written by tests/bench/word2vec-gensim.js (one sentence
per line, words separated by spaces) and score the vectors with gensim's own evaluation.

    /work/py/bin/python tests/bench/word2vec_gensim.py CORPUS OUT.json --sg 1 --workers 1 ...

Prints nothing; writes {"seconds", "cpuSeconds", "words", "wordsPerSec", "wordsPerCpuSec", ...} to OUT.json and the vectors to
the --save path (word2vec binary) when given. Timing covers model.train() only (the vocabulary
is built first, untimed), with the corpus in memory as lists of words (gensim's usual
`sentences` path) or, with --corpus-file, read by gensim's own Cython file reader.
"""
import argparse
import json
import time

from gensim.models import Word2Vec

ap = argparse.ArgumentParser()
ap.add_argument('corpus')
ap.add_argument('out')
ap.add_argument('--sg', type=int, default=1)
ap.add_argument('--hs', type=int, default=0)
ap.add_argument('--negative', type=int, default=5)
ap.add_argument('--dim', type=int, default=100)
ap.add_argument('--window', type=int, default=5)
ap.add_argument('--sample', type=float, default=1e-3)
ap.add_argument('--epochs', type=int, default=1)
ap.add_argument('--workers', type=int, default=1)
ap.add_argument('--seed', type=int, default=1)
ap.add_argument('--corpus-file', action='store_true')
ap.add_argument('--save')
a = ap.parse_args()

kw = dict(vector_size=a.dim, window=a.window, min_count=1, sg=a.sg, hs=a.hs, negative=a.negative,
          sample=a.sample, workers=a.workers, seed=a.seed, epochs=a.epochs)
if a.corpus_file:
    model = Word2Vec(**kw)
    model.build_vocab(corpus_file=a.corpus)
    words = model.corpus_total_words
    t0, c0 = time.perf_counter(), time.process_time()
    model.train(corpus_file=a.corpus, total_words=words, epochs=a.epochs)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
else:
    with open(a.corpus, encoding='utf8') as f:
        sentences = [line.split() for line in f]
    model = Word2Vec(**kw)
    model.build_vocab(sentences)
    words = model.corpus_total_words
    t0, c0 = time.perf_counter(), time.process_time()
    model.train(sentences, total_examples=len(sentences), epochs=a.epochs)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
if a.save:
    model.wv.save_word2vec_format(a.save, binary=True)
json.dump({'seconds': dt, 'cpuSeconds': cpu, 'words': words * a.epochs, 'wordsPerSec': words * a.epochs / dt,
           'wordsPerCpuSec': words * a.epochs / cpu,
           'vocab': len(model.wv), 'corpusFile': a.corpus_file}, open(a.out, 'w'))
