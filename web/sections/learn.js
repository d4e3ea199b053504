/**
 * @fileoverview Section 3, "Learning the vectors from a book": word2vec trained live on the full
 * text of Moby-Dick with embedkit's Word2Vec (skip-gram or CBOW with negative sampling), in a
 * Web Worker (web/w2v-worker.js). Start / pause, a loss curve, words per second, and the
 * nearest neighbours (embedkit's Neighbors, cosine similarity) of a few watched words, which
 * begin as noise and turn into sense as training goes on. Teaches: vectors are learned from
 * which words keep company, by the same lookup / gradient / update loop as any embedding layer.
 */

import { h, prose, lineChart, fmt, int } from '../ui.js';
import * as w2v from '../w2v-client.js';
import { mountNetwork } from './network.js';

const WATCH = 'whale, ship, sea, captain, harpoon, ahab';

export async function mount(root) {
  const status = h('p', { class: 'note', id: 'learn-status', 'aria-live': 'polite', text: 'Reading the book and counting its words…' });
  const modeIn = h('select', { id: 'learn-mode', 'aria-label': 'Training method' },
    h('option', { value: 'skipgram', text: 'skip-gram (word → neighbours)' }),
    h('option', { value: 'cbow', text: 'CBOW (neighbours → word)' }));
  const startBtn = h('button', { type: 'button', id: 'learn-start', text: 'Start training', disabled: true });
  const resetBtn = h('button', { type: 'button', class: 'secondary', id: 'learn-reset', text: 'Start over', disabled: true });
  const stats = h('div', { class: 'stats', id: 'learn-stats' });
  const bar = h('progress', { id: 'learn-progress', max: 1, value: 0, style: 'width:100%' });
  const chartBox = h('div', { class: 'plot', id: 'learn-loss' });
  const watchIn = h('input', { type: 'text', id: 'learn-watch', value: WATCH, 'aria-label': 'Words to watch, separated by commas',
    autocomplete: 'off', spellcheck: 'false' });
  const cards = h('div', { class: 'watch', id: 'learn-neighbours' });

  const intro = [
    prose('A random table is useless; the question is where good rows come from. Word2vec (Mikolov and ' +
      'colleagues, 2013) learns them from plain text with one bet: a word is known by the company it keeps. ' +
      'Slide a small window over the text. <em>Skip-gram</em> takes the word in the middle and tries to ' +
      'predict each word near it; <em>CBOW</em> does the reverse and guesses the middle word from the ones ' +
      'around it. Either way the middle word’s row is looked up, scored against real neighbours and against ' +
      'a few random words (“negative sampling”), and the error flows back into just those rows: the same ' +
      'lookup, backward and sparse update as in sections 1 and 5, repeated a million times.')];
  root.append(...intro);
  root.append(
    prose('Here the text is the whole of <em>Moby-Dick</em> (about 200,000 words once rare ones are dropped), ' +
      'served from this machine. Training runs in a background worker, so scrolling stays smooth.', 'note'),
    h('div', { class: 'controls' }, h('label', { for: 'learn-mode' }, 'method ', modeIn), startBtn, resetBtn),
    status, bar, stats,
    h('figure', { class: 'figure' }, chartBox,
      h('figcaption', { text: 'Average loss per (word, context) pair in each chunk of text: how badly the model tells real neighbours from random words. It falls as the vectors organise.' })),
    h('h3', { text: 'Watch the neighbours change' }),
    h('label', { for: 'learn-watch', text: 'Words to watch (nearest five by cosine similarity):' }), watchIn,
    cards,
    prose('Early on, every score is close to 1: all the vectors drift the same way at first, so every angle ' +
      'is small. What counts is the order, and the order becomes sensible first; the scores spread out ' +
      'as training goes on.', 'note'),
  );

  let chart = null;
  let losses = [[], []];

  const fresh = () => { chart?.set([[], []]); losses = [[], []]; chartBox.hidden = true; };

  function renderStats(p) {
    if (!p) {
      stats.replaceChildren(h('div', {}, 'vocabulary: ', h('output', { text: `${int(w2v.run.words.length)} words` })),
        h('div', {}, 'text: ', h('output', { text: `${int(w2v.run.corpusWords)} words` })),
        h('div', {}, 'to read: ', h('output', { text: `${int(w2v.run.totalWords)} words (${w2v.run.options.epochs} passes)` })));
      return;
    }
    bar.value = p.fraction;
    stats.replaceChildren(
      h('div', {}, 'words read: ', h('output', { id: 'learn-words', text: `${int(p.wordsDone)} / ${int(p.totalWords)}` })),
      h('div', {}, 'pass: ', h('output', { text: `${Math.min(p.epoch + 1, w2v.run.options.epochs)} of ${w2v.run.options.epochs}` })),
      h('div', {}, 'speed: ', h('output', { id: 'learn-wps', text: `${int(p.wordsPerSec)} words/s` }),
        h('output', { id: 'learn-threads', 'data-threads': p.threads, 'data-worker-chunks': p.workerChunks,
          text: p.threads > 1 ? ` on ${p.threads} threads` : ' on one thread' })),
      h('div', {}, 'learning rate: ', h('output', { text: fmt(p.lr, 4) })),
      h('div', {}, 'loss: ', h('output', { id: 'learn-loss-now', text: p.loss === null ? '–' : fmt(p.loss, 3) })));
  }

  function renderCards() {
    const nb = w2v.run.neighbours;
    if (!nb) return;
    const words = watchIn.value.split(/[,\s]+/).map((w) => w.trim().toLowerCase()).filter(Boolean).slice(0, 8);
    cards.replaceChildren(...words.map((w) => {
      const id = w2v.run.words.indexOf(w);
      if (id < 0) return h('div', { class: 'card' }, h('strong', { text: w }), h('p', { class: 'note', text: 'not in the vocabulary (fewer than 5 uses in the book)' }));
      const near = nb.nearest(id, { k: 5 });
      return h('div', { class: 'card', 'data-word': w },
        h('strong', { text: w }),
        h('ol', {}, ...near.map((n) => h('li', {}, `${n.word} `, h('span', { class: 'note', text: fmt(n.score, 2) })))));
    }));
  }

  async function prepare(mode) {
    startBtn.disabled = resetBtn.disabled = true;
    status.textContent = 'Reading the book and counting its words…';
    fresh();
    await w2v.setup({ ...w2v.SETTINGS, mode });
    renderStats(null);
    status.textContent = 'Ready. The vectors are still random; the neighbours below are noise.';
    startBtn.textContent = 'Start training';
    startBtn.disabled = resetBtn.disabled = false;
    renderCards();
  }

  w2v.on('progress', ({ progress: p }) => {
    renderStats(p);
    if (p.loss !== null) {
      chartBox.hidden = false;
      losses[0].push(p.wordsDone);
      losses[1].push(p.loss);
      chart?.set(losses);
      chartBox.dataset.losses = JSON.stringify(losses[1]);
    }
    if (p.done) {
      status.textContent = `Done: ${int(p.wordsDone)} words in ${fmt(p.elapsedMs / 1000, 1)} s of computing.`;
      startBtn.disabled = true;
      startBtn.textContent = 'Training finished';
      chartBox.dataset.done = 'true';
    }
  });
  w2v.on('vectors', renderCards);
  w2v.on('state', ({ running }) => {
    if (w2v.run.progress?.done) {             // finished: the button has nothing left to pause
      startBtn.textContent = 'Training finished';
      startBtn.disabled = true;
      return;
    }
    startBtn.textContent = running ? 'Pause' : 'Resume training';
    status.textContent = running ? 'Training…' : 'Paused.';
  });
  w2v.on('error', ({ message }) => { status.textContent = `Training failed: ${message}`; console.error(message); });

  startBtn.addEventListener('click', () => (w2v.run.running ? w2v.pause() : w2v.start()));
  resetBtn.addEventListener('click', () => prepare(modeIn.value));
  modeIn.addEventListener('change', () => prepare(modeIn.value));
  watchIn.addEventListener('input', renderCards);

  mountNetwork(root);
  chart = await lineChart(chartBox, { series: [{ label: 'loss' }], data: [[], []], height: 220, xLabel: 'words read' });
  chartBox.hidden = true;         // shown with the first loss value
  prepare(modeIn.value).catch((err) => { status.textContent = `Could not set up training: ${err.message}`; console.error(err); });
}
