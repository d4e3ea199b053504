// source.js — random-access (or front-to-back) byte reads from the places a model file can be:
// bytes in memory, a Blob/File (browser File input, Node's fs.openAsBlob), a fetch Response or
// a ReadableStream, or a user range reader. Pure JS, no wasm. Used by safetensors.js and gguf.js.
//
// Only the bytes asked for are read: a Blob is read through Blob.slice(a, b).arrayBuffer(), so
// taking one tensor out of a 500 MB file costs the header plus that tensor, never the file. A
// stream cannot seek: it is read front to back, bytes before the requested range are dropped
// chunk by chunk, and asking for a range behind the current position is an error.

/** Kind of a value for error messages. */
export function kindOf(v) {
  if (v === null) return 'null';
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  if (typeof v === 'object') return v.constructor?.name ?? 'object';
  return typeof v;
}

const isBlob = (v) => typeof v === 'object' && v !== null && typeof v.size === 'number' &&
  typeof v.slice === 'function' && typeof v.arrayBuffer === 'function';
const isStream = (v) => typeof v === 'object' && v !== null && typeof v.getReader === 'function';
const isResponse = (v) => typeof v === 'object' && v !== null && typeof v.arrayBuffer === 'function' &&
  'body' in v && 'headers' in v && 'ok' in v;
const isRangeReader = (v) => typeof v === 'object' && v !== null && typeof v.read === 'function' &&
  typeof v.size === 'number';

const SOURCE_KINDS = 'a Uint8Array, an ArrayBuffer, a Blob/File, a Response, a ReadableStream or a { size, read(offset, length) } reader';

/**
 * Wrap `src` as { size, kind, read(offset, length) -> Promise<Uint8Array> }. `size` is the byte
 * length when known (null for a stream without Content-Length). `what` names the file kind in
 * errors. Reads past a known size are RangeErrors raised before anything is read.
 */
export function byteSource(src, what) {
  if (src instanceof ArrayBuffer) src = new Uint8Array(src);
  if (src instanceof Uint8Array) {
    const bytes = src;
    return {
      kind: 'bytes', size: bytes.length,
      async read(off, len) { checkRange(off, len, bytes.length, what); return bytes.subarray(off, off + len); },
    };
  }
  if (isBlob(src)) {
    const blob = src;
    return {
      kind: 'blob', size: blob.size,
      async read(off, len) {
        checkRange(off, len, blob.size, what);
        if (len === 0) return new Uint8Array(0);
        const buf = await blob.slice(off, off + len).arrayBuffer();
        if (buf.byteLength !== len) throw new RangeError(`embedkit: ${what}: the Blob gave ${buf.byteLength} bytes at offset ${off}, expected ${len} (was the file changed?)`);
        return new Uint8Array(buf);
      },
    };
  }
  if (isResponse(src)) {
    if (!src.ok) throw new RangeError(`embedkit: ${what}: the Response has status ${src.status}`);
    if (src.bodyUsed) throw new TypeError(`embedkit: ${what}: the Response body was already read`);
    if (!src.body) throw new TypeError(`embedkit: ${what}: the Response has no body`);
    const enc = src.headers.get('content-encoding');
    const cl = src.headers.get('content-length');
    const size = cl !== null && (!enc || enc === 'identity') && /^\d+$/.test(cl) ? Number(cl) : null;
    return streamSource(src.body, size, what);
  }
  if (isStream(src)) return streamSource(src, null, what);
  if (isRangeReader(src)) {
    const r = src;
    if (!Number.isSafeInteger(r.size) || r.size < 0) throw new RangeError(`embedkit: ${what}: reader.size must be a non-negative integer, got ${r.size}`);
    return {
      kind: 'reader', size: r.size,
      async read(off, len) {
        checkRange(off, len, r.size, what);
        let b = await r.read(off, len);
        if (b instanceof ArrayBuffer) b = new Uint8Array(b);
        if (!(b instanceof Uint8Array) || b.length !== len) {
          throw new RangeError(`embedkit: ${what}: reader.read(${off}, ${len}) must resolve to ${len} bytes, got ${b instanceof Uint8Array ? b.length + ' bytes' : kindOf(b)}`);
        }
        return b;
      },
    };
  }
  throw new TypeError(`embedkit: ${what} source must be ${SOURCE_KINDS}, got ${kindOf(src)}`);
}

function checkRange(off, len, size, what) {
  if (off + len > size) {
    throw new RangeError(`embedkit: ${what}: bytes [${off}, ${off + len}) are past the end of the file (${size} bytes); the file is truncated or corrupt`);
  }
}

/** Front-to-back reads of a ReadableStream of Uint8Array chunks. */
function streamSource(stream, size, what) {
  if (stream.locked) throw new TypeError(`embedkit: ${what}: the stream is locked (already being read)`);
  const reader = stream.getReader();
  let pos = 0;                  // file offset of pending[0]
  let pending = new Uint8Array(0);
  let done = false;
  let busy = false;
  async function pull() {
    const { value, done: d } = await reader.read();
    if (d) { done = true; return false; }
    let chunk = value;
    if (chunk instanceof ArrayBuffer) chunk = new Uint8Array(chunk);
    if (!(chunk instanceof Uint8Array)) throw new TypeError(`embedkit: ${what}: stream chunks must be Uint8Array, got ${kindOf(chunk)}`);
    pending = pending.length ? concat(pending, chunk) : chunk;
    return true;
  }
  // The last range handed out stays readable: a header parse that read a little past the
  // header's end (GGUF) can still take the first tensor from those bytes.
  let last = new Uint8Array(0);
  let lastOff = 0;
  async function take(off, len, upTo) {
    if (size !== null && !upTo) checkRange(off, len, size, what);
    if (off < pos) {
      if (off >= lastOff && off + Math.min(len, 1) <= lastOff + last.length) {
        const head = last.subarray(off - lastOff, Math.min(last.length, off - lastOff + len));
        if (head.length === len) return head;
        return concat(head, await take(off + head.length, len - head.length, upTo));
      }
      throw new RangeError(`embedkit: ${what}: a stream is read front to back; bytes at ${off} were already passed ` +
        `(at ${pos}). Read tensors in file order, or pass a Blob/File or the bytes instead`);
    }
    // Drop bytes before `off`.
    while (pos + pending.length < off) {
      pos += pending.length;
      pending = new Uint8Array(0);
      if (done || !(await pull())) {
        if (upTo) return new Uint8Array(0);
        throw truncated(what, off, len, pos);
      }
    }
    pending = pending.subarray(off - pos);
    pos = off;
    // Collect len bytes. The output grows with what arrives (doubling), so a header that
    // claims more than the stream holds never allocates its claimed size up front.
    let out = new Uint8Array(Math.min(len, Math.max(pending.length, 1 << 16)));
    let have = 0;
    for (;;) {
      const n = Math.min(len - have, pending.length);
      if (have + n > out.length) out = grow(out, have, Math.min(len, Math.max(have + n, out.length * 2)));
      out.set(pending.subarray(0, n), have);
      have += n;
      pending = pending.subarray(n);
      pos += n;
      if (have === len) break;
      if (done || !(await pull())) {
        if (upTo) break;
        throw truncated(what, off, len, pos);
      }
    }
    last = out.length === have ? out : out.subarray(0, have);
    lastOff = off;
    return last;
  }
  const serial = (upTo) => async (off, len) => {
    if (busy) throw new Error(`embedkit: ${what}: one read at a time from a stream (await the previous one)`);
    busy = true;
    try {
      return await take(off, len, upTo);
    } finally {
      busy = false;
    }
  };
  return { kind: 'stream', size, read: serial(false), readUpTo: serial(true) };
}

function truncated(what, off, len, pos) {
  return new RangeError(`embedkit: ${what}: the stream ended at byte ${pos}, before bytes [${off}, ${off + len}); the file is truncated`);
}

function grow(a, used, n) {
  const b = new Uint8Array(n);
  b.set(a.subarray(0, used));
  return b;
}

export function concat(a, b) {
  const c = new Uint8Array(a.length + b.length);
  c.set(a, 0);
  c.set(b, a.length);
  return c;
}
