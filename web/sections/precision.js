/**
 * @fileoverview Appendix B, "How exact are the angles?": RoPE's cos/sin at large positions, as
 * embedkit computes them (angles in float64, rounded once) next to the common float32 recipe,
 * from ropePrecisionReport. A property of this library rather than of the lecture, hence the
 * appendix.
 */

import { ropePrecisionReport } from 'embedkit';
import { h, prose, fmt, compact, dataTable } from '../ui.js';

export function mount(root) {
  const report = ropePrecisionReport({ rotaryDim: 128, base: 10000, samples: 128 });
  const worst = Math.max(...report.flatMap((r) => [r.embedkit, r.float32]));
  const floor = 1e-9;
  const width = (e) => `${Math.max(1, (100 * Math.log10(Math.max(e, floor) / floor)) / Math.log10(worst / floor))}%`;
  const rows = report.map((r) => [
    h('span', { class: 'mono', text: `${compact(r.from)}–${compact(r.to)}` }),
    h('div', {}, h('div', { class: 'bar', style: `width:${width(r.embedkit)}`, title: 'embedkit' }),
      h('div', { class: 'bar js', style: `width:${width(r.float32)};margin-top:2px`, title: 'float32 recipe' })),
    h('span', { class: 'mono', text: `${fmt(r.embedkit, 2)} / ${fmt(r.float32, 2)}` }),
  ]);
  root.append(
    prose('“Only the distance matters” holds exactly on paper. In a computer it holds only as far as the angles ' +
      '<em>p</em>·θ are computed correctly, and at large positions the common recipe (multiply in float32, then ' +
      'take cos and sin) rounds the angle itself: position 100,000 times a frequency near 1 keeps only about two ' +
      'correct digits after the point. embedkit computes the angles in double precision and rounds only the ' +
      'final cos and sin to float32. Largest error over each range of positions, against float64 (head size 128):'),
    h('div', { class: 'bars', id: 'rope-precision', role: 'figure', 'aria-label': 'Largest cos/sin error by position range' },
      h('span', { class: 'note', text: 'positions' }), h('span', { class: 'legend' },
        h('span', {}, h('span', { class: 'swatch', style: 'background:var(--accent)' }), 'embedkit'),
        h('span', {}, h('span', { class: 'swatch', style: 'background:#8b95a1' }), 'float32 recipe')),
      h('span', { class: 'note', text: 'embedkit / float32' }),
      ...rows.flat()),
    prose('Bars are on a log scale starting at 10<sup>−9</sup>. Values computed just now by <code>ropePrecisionReport</code>, ' +
      'sampling 128 positions per range.', 'note'),
  );
  root.append(dataTable('The errors as a table', ['positions', 'embedkit', 'float32 recipe'],
    report.map((r) => [`${compact(r.from)}–${compact(r.to)}`, fmt(r.embedkit, 2), fmt(r.float32, 2)]), 'precision-data'));
}
