// rope-scaling.js — RoPE inverse frequencies and attention factors, in float64, for every
// scaling type Rope accepts. Pure JS: no wasm, no state.
//
// Followed: Hugging Face transformers, src/transformers/modeling_rope_utils.py
// (_compute_default_rope_parameters, _compute_linear_scaling_rope_parameters,
// _compute_dynamic_ntk_parameters, _compute_yarn_parameters, _compute_longrope_parameters,
// _compute_llama3_parameters, _compute_proportional_rope_parameters (transformers 5, Gemma-4
// full-attention layers), and the dynamic_rope_update decorator), the v5 form that reads
// `rope_parameters` (an explicit `factor` wins over max/original ratios; yarn's `truncate`
// defaults to true). Differences, on purpose:
// - transformers evaluates these formulas in float32 torch tensors; here they run in float64,
//   so the frequencies are the exact values the formulas describe (cos/sin tables are then
//   rounded to float32 once, by trig.c).
// - dynamic and longrope are stateless per call: a call with highest position P uses
//   seqLen = max(P + 1, originalMaxPositions) (README "Rotary position embeddings"). transformers keeps the largest
//   seqLen seen so far until a call drops below the original length again.
//
// Field names are the camelCase of transformers' keys:
//   factor, originalMaxPositions (original_max_position_embeddings), betaFast, betaSlow,
//   attentionFactor, mscale, mscaleAllDim, truncate, lowFreqFactor, highFreqFactor,
//   shortFactor, longFactor, partialRotaryFactor (proportional).
// Type 'explicit' is internal: Rope's invFreq option (given frequencies and attention factor).

import { checkOptions } from './validate.js';

const TYPES = ['default', 'linear', 'dynamic', 'yarn', 'llama3', 'longrope', 'proportional'];
/** Keys each scaling type takes besides `type` / `ropeType` (an unknown key is a TypeError). */
const TYPE_KEYS = {
  default: [],
  linear: ['factor'],
  dynamic: ['factor', 'originalMaxPositions'],
  yarn: ['factor', 'originalMaxPositions', 'betaFast', 'betaSlow', 'attentionFactor', 'mscale', 'mscaleAllDim', 'truncate'],
  llama3: ['factor', 'lowFreqFactor', 'highFreqFactor', 'originalMaxPositions'],
  longrope: ['shortFactor', 'longFactor', 'factor', 'originalMaxPositions', 'attentionFactor'],
  proportional: ['factor', 'partialRotaryFactor'],
};

function num(v, name, { min = -Infinity, exclusive = false, int = false } = {}) {
  if (typeof v !== 'number') throw new TypeError(`embedkit: scaling.${name} must be a number, got ${v === null ? 'null' : typeof v}`);
  if (!Number.isFinite(v) || v < min || (exclusive && v === min) || (int && !Number.isInteger(v))) {
    throw new RangeError(`embedkit: scaling.${name} must be a finite ${int ? 'integer' : 'number'} ` +
      `${exclusive ? '>' : '>='} ${min}, got ${v}`);
  }
  return v;
}

function factorList(v, name, half) {
  if (!Array.isArray(v) && !(v instanceof Float32Array) && !(v instanceof Float64Array)) {
    throw new TypeError(`embedkit: scaling.${name} must be an array of ${half} numbers`);
  }
  if (v.length !== half) throw new RangeError(`embedkit: scaling.${name} has length ${v.length}, expected ${half} (rotaryDim / 2)`);
  const out = new Float64Array(half);
  for (let i = 0; i < half; i++) {
    const f = v[i];
    if (typeof f !== 'number' || !Number.isFinite(f) || f <= 0) {
      throw new RangeError(`embedkit: scaling.${name}[${i}] = ${f} must be a finite number > 0`);
    }
    out[i] = f;
  }
  return out;
}

/**
 * Check a `scaling` option and fill in transformers' defaults. Returns a frozen plain object
 * with `type` always set ('default' for null). Throws TypeError/RangeError naming the field.
 */
export function normalizeScaling(scaling, { rotaryDim, maxPositions }) {
  if (scaling === null || scaling === undefined) return Object.freeze({ type: 'default' });
  if (typeof scaling !== 'object') throw new TypeError('embedkit: scaling must be an object or null');
  const type = scaling.type ?? scaling.ropeType;
  if (typeof type !== 'string') throw new TypeError(`embedkit: scaling.type must be one of ${TYPES.join(', ')}`);
  if (!TYPES.includes(type)) throw new RangeError(`embedkit: scaling.type must be one of ${TYPES.join(', ')}, got '${type}'`);
  checkOptions(scaling, ['type', 'ropeType', ...TYPE_KEYS[type]], `scaling (type '${type}')`);
  const half = rotaryDim / 2;
  const orig = (required) => {
    if (scaling.originalMaxPositions === undefined || scaling.originalMaxPositions === null) {
      if (required) throw new TypeError(`embedkit: scaling.originalMaxPositions is required for type '${type}'`);
      return maxPositions;
    }
    return num(scaling.originalMaxPositions, 'originalMaxPositions', { min: 1, int: true });
  };
  const opt = (name, dflt, o) => (scaling[name] === undefined || scaling[name] === null ? dflt : num(scaling[name], name, o));
  switch (type) {
    case 'default':
      return Object.freeze({ type });
    case 'linear':
      return Object.freeze({ type, factor: num(scaling.factor, 'factor', { min: 0, exclusive: true }) });
    case 'dynamic':
      return Object.freeze({ type, factor: num(scaling.factor, 'factor', { min: 0, exclusive: true }), originalMaxPositions: orig(false) });
    case 'yarn': {
      const originalMaxPositions = orig(false);
      const factor = scaling.factor === undefined || scaling.factor === null
        ? maxPositions / originalMaxPositions   // transformers: factor = max / original when unset
        : num(scaling.factor, 'factor', { min: 0, exclusive: true });
      const truncate = scaling.truncate === undefined ? true : scaling.truncate;
      if (typeof truncate !== 'boolean') throw new TypeError('embedkit: scaling.truncate must be a boolean');
      return Object.freeze({
        type, factor, originalMaxPositions,
        betaFast: opt('betaFast', 32, { min: 0, exclusive: true }),
        betaSlow: opt('betaSlow', 1, { min: 0, exclusive: true }),
        attentionFactor: opt('attentionFactor', null, { min: 0, exclusive: true }),
        mscale: opt('mscale', null, { min: 0 }),
        mscaleAllDim: opt('mscaleAllDim', null, { min: 0 }),
        truncate,
      });
    }
    case 'llama3': {
      const lowFreqFactor = num(scaling.lowFreqFactor, 'lowFreqFactor', { min: 0, exclusive: true });
      const highFreqFactor = num(scaling.highFreqFactor, 'highFreqFactor', { min: 0, exclusive: true });
      if (!(highFreqFactor > lowFreqFactor)) {
        throw new RangeError(`embedkit: scaling.highFreqFactor (${highFreqFactor}) must be greater than lowFreqFactor (${lowFreqFactor})`);
      }
      return Object.freeze({
        type, factor: num(scaling.factor, 'factor', { min: 0, exclusive: true }),
        lowFreqFactor, highFreqFactor, originalMaxPositions: orig(true),
      });
    }
    case 'proportional': {
      // Rotate the first floor(p * dim / 2) pairs with the plain frequencies of the whole head,
      // leave the rest unrotated (frequency 0); divide by factor.
      const partialRotaryFactor = opt('partialRotaryFactor', 1, { min: 0 });
      if (partialRotaryFactor > 1) throw new RangeError(`embedkit: scaling.partialRotaryFactor must be in [0, 1], got ${partialRotaryFactor}`);
      return Object.freeze({ type, factor: opt('factor', 1, { min: 0, exclusive: true }), partialRotaryFactor });
    }
    case 'longrope': {
      const originalMaxPositions = orig(false);
      const factor = scaling.factor === undefined || scaling.factor === null
        ? maxPositions / originalMaxPositions
        : num(scaling.factor, 'factor', { min: 0, exclusive: true });
      const attentionFactor = opt('attentionFactor', null, { min: 0, exclusive: true });
      // sqrt(1 + ln(factor) / ln(originalMaxPositions)) divides by ln 1 = 0 (transformers raises
      // ZeroDivisionError there).
      if (attentionFactor === null && factor > 1 && originalMaxPositions === 1) {
        throw new RangeError('embedkit: scaling.originalMaxPositions must be at least 2 for longrope: its attention factor ' +
          'sqrt(1 + ln(factor) / ln(originalMaxPositions)) divides by ln(1) = 0 (or give scaling.attentionFactor)');
      }
      return Object.freeze({
        type, factor, originalMaxPositions,
        shortFactor: factorList(scaling.shortFactor, 'shortFactor', half),
        longFactor: factorList(scaling.longFactor, 'longFactor', half),
        attentionFactor,
      });
    }
  }
  throw new Error('unreachable');
}

/**
 * The part of the call that selects frequencies: a key that is equal for two sequence lengths
 * exactly when they give the same frequencies ('static' for types that ignore seqLen).
 */
export function frequencyKey(scaling, seqLen) {
  if (scaling.type === 'dynamic') return Math.max(seqLen, scaling.originalMaxPositions);
  if (scaling.type === 'longrope') return seqLen > scaling.originalMaxPositions ? 'long' : 'short';
  return 'static';
}

/** 1 / base^(2i / dim) for i in [0, dim/2), as transformers' default rope. */
export function defaultInvFreq(base, dim) {
  const inv = new Float64Array(dim / 2);
  for (let i = 0; i < inv.length; i++) inv[i] = 1 / base ** ((2 * i) / dim);
  return inv;
}

/**
 * Frequencies for a call whose sequence length (highest position + 1) is seqLen.
 * Returns { invFreq: Float64Array(rotaryDim / 2), attentionFactor }.
 */
export function ropeFrequencies({ rotaryDim, base, scaling }, seqLen) {
  const dim = rotaryDim;
  const half = dim / 2;
  switch (scaling.type) {
    case 'default':
      return { invFreq: defaultInvFreq(base, dim), attentionFactor: 1 };
    case 'linear': {
      const inv = defaultInvFreq(base, dim);
      for (let i = 0; i < half; i++) inv[i] /= scaling.factor;
      return { invFreq: inv, attentionFactor: 1 };
    }
    case 'dynamic': {
      // NTK-aware: grow the base once the sequence outgrows the original context.
      const { factor, originalMaxPositions: orig } = scaling;
      const L = Math.max(seqLen, orig);
      const ratio = (factor * L) / orig - (factor - 1);
      // ratio == 1 at L == orig; Python's 1.0 ** inf is 1 but JS's is NaN (rotaryDim 2).
      const b = ratio === 1 ? base : base * ratio ** (dim / (dim - 2));
      return { invFreq: defaultInvFreq(b, dim), attentionFactor: 1 };
    }
    case 'yarn': {
      const { factor, originalMaxPositions: orig, betaFast, betaSlow, mscale, mscaleAllDim, truncate } = scaling;
      const getMscale = (s, m = 1) => (s <= 1 ? 1 : 0.1 * m * Math.log(s) + 1);
      let attentionFactor = scaling.attentionFactor;
      if (attentionFactor === null) {
        attentionFactor = mscale && mscaleAllDim ? getMscale(factor, mscale) / getMscale(factor, mscaleAllDim) : getMscale(factor);
      }
      // Dimension whose wavelength makes `rot` full turns over the original context.
      const corrDim = (rot) => (dim * Math.log(orig / (rot * 2 * Math.PI))) / (2 * Math.log(base));
      let low = corrDim(betaFast);
      let high = corrDim(betaSlow);
      if (truncate) {
        low = Math.floor(low);
        high = Math.ceil(high);
      }
      low = Math.max(low, 0);
      high = Math.min(high, dim - 1);
      if (low === high) high += 0.001;  // transformers: prevent a zero-width ramp
      const inv = new Float64Array(half);
      for (let i = 0; i < half; i++) {
        const posFreq = base ** ((2 * i) / dim);
        const extrapolation = 1 / posFreq;
        const interpolation = 1 / (factor * posFreq);
        const ramp = Math.min(Math.max((i - low) / (high - low), 0), 1);
        const extrapolationFactor = 1 - ramp;
        inv[i] = interpolation * (1 - extrapolationFactor) + extrapolation * extrapolationFactor;
      }
      return { invFreq: inv, attentionFactor };
    }
    case 'llama3': {
      const { factor, lowFreqFactor, highFreqFactor, originalMaxPositions: oldLen } = scaling;
      const lowFreqWavelen = oldLen / lowFreqFactor;
      const highFreqWavelen = oldLen / highFreqFactor;
      const inv = defaultInvFreq(base, dim);
      for (let i = 0; i < half; i++) {
        const wavelen = (2 * Math.PI) / inv[i];
        if (wavelen > lowFreqWavelen) {
          inv[i] = inv[i] / factor;           // long wavelengths: interpolate fully
        } else if (!(wavelen < highFreqWavelen)) {
          // medium: blend the scaled and unscaled frequency
          const smooth = (oldLen / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
          inv[i] = (1 - smooth) * (inv[i] / factor) + smooth * inv[i];
        }                                     // short wavelengths: unchanged
      }
      return { invFreq: inv, attentionFactor: 1 };
    }
    case 'proportional': {
      // transformers: rope_angles = int(partial_rotary_factor * head_dim // 2)
      const angles = Math.floor((scaling.partialRotaryFactor * dim) / 2);
      const inv = new Float64Array(half);
      for (let i = 0; i < Math.min(angles, half); i++) inv[i] = 1 / base ** ((2 * i) / dim) / scaling.factor;
      return { invFreq: inv, attentionFactor: 1 };
    }
    case 'explicit':
      return { invFreq: Float64Array.from(scaling.invFreq), attentionFactor: scaling.attentionFactor };
    case 'longrope': {
      const { factor, originalMaxPositions: orig } = scaling;
      let attentionFactor = scaling.attentionFactor;
      if (attentionFactor === null) attentionFactor = factor <= 1 ? 1 : Math.sqrt(1 + Math.log(factor) / Math.log(orig));
      const ext = seqLen > orig ? scaling.longFactor : scaling.shortFactor;
      const inv = new Float64Array(half);
      for (let i = 0; i < half; i++) inv[i] = 1 / (ext[i] * base ** ((2 * i) / dim));
      return { invFreq: inv, attentionFactor };
    }
  }
  throw new Error('unreachable');
}
