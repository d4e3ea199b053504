// rope-config.js — Rope constructor options from a model's own configuration: a Hugging Face
// transformers config.json (parsed), or an opened GGUF file. Pure JS, no wasm.
//
// transformers (modeling_rope_utils.py, RotaryEmbeddingConfigMixin) reads, in this order:
//   rope parameters   config.rope_scaling (old name) or config.rope_parameters (transformers 5),
//                     possibly nested per layer type ({ full_attention: {...}, sliding_attention: {...} })
//   rope_type         rope_type, or its old name type; 'default' when absent
//   rope_theta        the parameters' rope_theta, else config.rope_theta, else 10000
//                     (GPT-NeoX configs: rotary_emb_base)
//   head_dim          config.head_dim, else hidden_size // num_attention_heads
//   rotary dim        int(head_dim * partial_rotary_factor) (GPT-NeoX: rotary_pct)
//   original length   llama3/yarn/longrope: config.original_max_position_embeddings (top level,
//                     as Phi-3 writes it, wins), else the parameters' one, else
//                     max_position_embeddings; dynamic: max_position_embeddings
//   factor            yarn/longrope without one: max_position_embeddings / original length
// GGUF (llama.cpp): {arch}.rope.freq_base, .rope.dimension_count, .rope.scaling.{type, factor,
// original_context_length, attn_factor (longrope), yarn_beta_fast, yarn_beta_slow}, {arch}.context_length,
// and the frequency-factor tensors rope_freqs.weight (Llama-3.1: per-frequency divisors) and
// rope_factors_long/short.weight (Phi-3 longrope). Pairing follows llama.cpp's rope type of
// the architecture (llama: adjacent pairs, i.e. interleaved; qwen2, phi3, gemma...: half-split).

import { checkOptions } from './validate.js';

const kindOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function num(v, what, { int = false, min = 0, exclusive = true } = {}) {
  if (typeof v !== 'number') throw new TypeError(`embedkit: config ${what} must be a number, got ${kindOf(v)}`);
  if (!Number.isFinite(v) || v < min || (exclusive && v === min) || (int && !Number.isInteger(v))) {
    throw new RangeError(`embedkit: config ${what} must be a finite ${int ? 'integer' : 'number'} ${exclusive ? '>' : '>='} ${min}, got ${v}`);
  }
  return v;
}
const has = (o, k) => o !== null && typeof o === 'object' && o[k] !== undefined && o[k] !== null;
const ROPE_KEYS = ['rope_type', 'type', 'rope_theta', 'factor', 'partial_rotary_factor', 'original_max_position_embeddings'];

function fromOptions(options) {
  const { layerType, maxPositions, interleaved } = checkOptions(options, ['layerType', 'maxPositions', 'interleaved'], 'Rope.fromConfig options');
  if (layerType !== undefined && typeof layerType !== 'string') throw new TypeError('embedkit: layerType must be a string');
  if (interleaved !== undefined && typeof interleaved !== 'boolean') throw new TypeError('embedkit: interleaved must be a boolean');
  return { layerType, maxPositions, interleaved };
}

/** Rope options from a transformers config.json object. */
export function ropeOptionsFromHF(config, options) {
  const o = fromOptions(options);
  let c = config;
  // Multimodal configs (Gemma-3/4, Llama-4, Qwen-VL) keep the language model in text_config.
  if (has(c, 'text_config') && !has(c, 'hidden_size') && !has(c, 'head_dim') && !has(c, 'rope_theta') && !has(c, 'rope_parameters') && !has(c, 'rope_scaling')) {
    c = c.text_config;
    if (c === null || typeof c !== 'object') throw new TypeError('embedkit: config.text_config must be an object');
  }
  let rp = has(c, 'rope_scaling') ? c.rope_scaling : has(c, 'rope_parameters') ? c.rope_parameters : {};
  if (typeof rp !== 'object' || Array.isArray(rp)) throw new TypeError(`embedkit: config rope_parameters / rope_scaling must be an object, got ${kindOf(rp)}`);
  let where = has(c, 'rope_scaling') ? 'rope_scaling' : 'rope_parameters';
  // Nested per layer type: no rope keys of its own, only objects (or null) under layer names.
  let keys = Object.keys(rp);
  let nested = keys.length > 0 && !keys.some((k) => ROPE_KEYS.includes(k)) && keys.every((k) => rp[k] === null || (typeof rp[k] === 'object' && !Array.isArray(rp[k])));
  if (!nested && has(c, 'rope_local_base_freq')) {
    // Gemma-2/3 in the transformers-4 form, as transformers 5 converts it: full attention takes
    // rope_scaling and rope_theta (default 1e6), sliding attention plain rope at rope_local_base_freq.
    rp = { full_attention: { ...rp, rope_theta: rp.rope_theta ?? c.rope_theta ?? 1e6 },
      sliding_attention: { rope_type: 'default', rope_theta: c.rope_local_base_freq } };
    keys = Object.keys(rp);
    nested = true;
  }
  if (nested) {
    const lt = o.layerType ?? (keys.length === 1 ? keys[0] : undefined);
    if (lt === undefined) throw new TypeError(`embedkit: this config has rope parameters per layer type (${keys.join(', ')}); pass options.layerType`);
    if (!Object.hasOwn(rp, lt)) throw new RangeError(`embedkit: layerType '${lt}' is not in the config's rope parameters (${keys.join(', ')})`);
    if (rp[lt] === null) throw new RangeError(`embedkit: layer type '${lt}' has no rope (its parameters are null)`);
    rp = rp[lt];
    where = `${where}.${lt}`;
  } else if (o.layerType !== undefined) {
    throw new RangeError(`embedkit: layerType '${o.layerType}' given, but the config's rope parameters are not per layer type`);
  }
  const type = rp.rope_type ?? rp.type ?? 'default';
  if (typeof type !== 'string') throw new TypeError(`embedkit: config ${where}.rope_type must be a string`);

  // Head size. Gemma-4 full-attention layers have their own global_head_dim.
  let headDim = has(c, 'head_dim') ? num(c.head_dim, 'head_dim', { int: true }) : null;
  if (nested && o.layerType === 'full_attention' && has(c, 'global_head_dim')) headDim = num(c.global_head_dim, 'global_head_dim', { int: true });
  if (headDim === null) {
    const hidden = c.hidden_size ?? c.n_embd ?? c.d_model;
    const heads = c.num_attention_heads ?? c.n_head;
    num(hidden, 'hidden_size', { int: true });
    num(heads, 'num_attention_heads', { int: true });
    headDim = Math.floor(hidden / heads);
  }
  const base = num(rp.rope_theta ?? c.rope_theta ?? c.rotary_emb_base ?? 10000, `${where}.rope_theta`, { min: 1 });
  const partial = num(rp.partial_rotary_factor ?? c.partial_rotary_factor ?? c.rotary_pct ?? 1, 'partial_rotary_factor', { min: 0 });
  if (partial > 1) throw new RangeError(`embedkit: config partial_rotary_factor must be <= 1, got ${partial}`);
  const maxPos = num(c.max_position_embeddings ?? c.n_positions ?? 2048, 'max_position_embeddings', { int: true });
  const orig = () => num(c.original_max_position_embeddings ?? rp.original_max_position_embeddings ?? maxPos,
    'original_max_position_embeddings', { int: true });
  const factor = (dflt) => num(rp.factor ?? dflt, `${where}.factor`);
  const f = (k) => (rp[k] === undefined ? null : rp[k]);

  let rotaryDim = Math.trunc(headDim * partial);
  let scaling = null;
  let maxPositions = maxPos;
  switch (type) {
    case 'default':
      break;
    case 'linear':
      scaling = { type, factor: factor() };
      break;
    case 'dynamic':
      scaling = { type, factor: factor(), originalMaxPositions: maxPos };
      maxPositions = Math.ceil(maxPos * scaling.factor);
      break;
    case 'llama3':
      scaling = { type, factor: factor(), lowFreqFactor: rp.low_freq_factor, highFreqFactor: rp.high_freq_factor, originalMaxPositions: orig() };
      break;
    case 'yarn': {
      const om = orig();
      scaling = {
        type, factor: factor(maxPos / om), originalMaxPositions: om,
        betaFast: f('beta_fast') || 32, betaSlow: f('beta_slow') || 1,   // transformers: `or` defaults
        attentionFactor: f('attention_factor'), mscale: f('mscale'), mscaleAllDim: f('mscale_all_dim'),
        truncate: rp.truncate ?? true,
      };
      maxPositions = Math.max(maxPos, Math.round(om * scaling.factor));
      break;
    }
    case 'longrope': {
      const om = orig();
      scaling = { type, factor: factor(maxPos / om), originalMaxPositions: om, shortFactor: rp.short_factor, longFactor: rp.long_factor, attentionFactor: f('attention_factor') };
      break;
    }
    case 'proportional':
      // The whole head rotates; the proportion selects how many pairs get a nonzero frequency.
      rotaryDim = headDim;
      scaling = { type, factor: factor(1), partialRotaryFactor: partial };
      break;
    default:
      throw new RangeError(`embedkit: config ${where}.rope_type '${type}' is not supported ` +
        "(default, linear, dynamic, yarn, llama3, longrope, proportional; for another, compute its frequencies and pass Rope's invFreq option)");
  }
  return { headDim, rotaryDim, base, interleaved: o.interleaved ?? false, maxPositions: o.maxPositions ?? maxPositions, scaling };
}

/** Rope options from an opened GGUF file (GGUFFile). */
export function ropeOptionsFromGGUF(g, options) {
  const o = fromOptions(options);
  if (o.layerType !== undefined) throw new RangeError('embedkit: layerType applies to transformers configs, not GGUF files');
  const headDim = g.headDim;
  if (headDim === null) throw new RangeError(`embedkit: this GGUF file has no ${g.architecture}.attention.key_length or embedding_length / attention.head_count`);
  num(headDim, 'GGUF head size', { int: true });
  const rotaryDim = num(g.ropeDimensionCount ?? headDim, `GGUF ${g.architecture}.rope.dimension_count`, { int: true });
  const base = num(g.ropeFreqBase ?? 10000, `GGUF ${g.architecture}.rope.freq_base`, { min: 1 });
  const ctx = g.contextLength ?? 4096;
  const sc = g.ropeScaling ?? {};
  const type = sc.type ?? 'none';
  const rf = g.ropeFactors;
  const common = { headDim, rotaryDim, interleaved: o.interleaved ?? g.ropeInterleaved, maxPositions: o.maxPositions ?? ctx };
  const linear = type === 'linear' ? num(sc.factor, 'GGUF rope.scaling.factor') : 1;
  if (rf.freqs) {
    // llama.cpp: theta_i = p * base^(-2i/n_rot) / freq_factors[i] (times 1/factor for linear).
    if (rf.freqs.length !== rotaryDim / 2) throw new RangeError(`embedkit: GGUF rope_freqs.weight has ${rf.freqs.length} values, expected ${rotaryDim / 2}`);
    const invFreq = Array.from(rf.freqs, (d, i) => 1 / base ** ((2 * i) / rotaryDim) / d / linear);
    return { ...common, invFreq };
  }
  if (rf.long && rf.short) {
    const om = sc.originalContextLength ?? ctx;
    return { ...common, base, scaling: { type: 'longrope', factor: ctx / om, originalMaxPositions: om, shortFactor: rf.short, longFactor: rf.long, attentionFactor: sc.attnFactor ?? null } };
  }
  switch (type) {
    case 'none':
      return { ...common, base };
    case 'linear':
      return { ...common, base, scaling: { type, factor: linear } };
    case 'yarn': {
      const om = sc.originalContextLength ?? ctx;
      return {
        ...common, base, scaling: {
          type, factor: sc.factor ?? ctx / om, originalMaxPositions: om,
          betaFast: sc.yarnBetaFast || 32, betaSlow: sc.yarnBetaSlow || 1, attentionFactor: null,
        },
      };
    }
  }
  throw new RangeError(`embedkit: GGUF rope scaling type '${type}' is not supported (none, linear, yarn, longrope factor tensors, rope_freqs)`);
}
