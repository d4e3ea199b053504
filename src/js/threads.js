// threads.js — the thread pool of the threaded build, seen from the main instance.
//
// Workers are Web Workers (browsers) or worker_threads (Node) running pool-worker.js; each one
// instantiates the same WebAssembly.Module on the same shared WebAssembly.Memory, gets a stack
// of its own (allocated here, on the main instance: only it allocates) and sleeps in
// ek_pool_worker until a kernel hands out work (src/c/pool.c). Kernels never block the calling
// thread with Atomics.wait: it takes its own share of the chunks and spins for the rest, which
// works on a browser's main thread as in a worker.
//
// Node: the workers are unref()'d, so they never keep a process alive.

const STACK_BYTES = 512 * 1024;  // per worker; the deepest kernel frame holds a gather's 32 KiB ek_seen set

let state = null;  // { ex, module, memory, workers: [{ worker, stack, exited }], nodeWT }

/** Machine parallelism as the platform reports it (1 when unknown). */
export async function hardwareThreads() {
  const n = globalThis.navigator?.hardwareConcurrency;
  if (Number.isInteger(n) && n > 0) return n;
  if (typeof process !== 'undefined' && process.versions?.node) {
    const spec = 'node:os';
    const os = await import(/* webpackIgnore: true */ /* @vite-ignore */ spec);
    return os.availableParallelism?.() ?? os.cpus().length ?? 1;
  }
  return 1;
}

/**
 * Why threads cannot run here, or null when they can: shared wasm memory and workers are
 * needed. Browsers only offer SharedArrayBuffer to cross-origin isolated pages (COOP/COEP).
 */
export function threadsUnavailable() {
  if (typeof SharedArrayBuffer !== 'function') {
    return globalThis.crossOriginIsolated === false
      ? 'the page is not cross-origin isolated (its server must send Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp), so SharedArrayBuffer is unavailable'
      : 'this engine has no SharedArrayBuffer';
  }
  if (globalThis.crossOriginIsolated === false) {
    return 'the page is not cross-origin isolated (its server must send Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  }
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  if (!isNode && typeof Worker !== 'function') return 'this environment has no Worker';
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  } catch {
    return 'this engine has no shared WebAssembly.Memory';
  }
  return null;
}

/** True when `module` is the threaded build (it imports a shared memory). */
export function isThreadedModule(module) {
  return WebAssembly.Module.imports(module).some((i) => i.kind === 'memory');
}

/** A shared memory for the threaded module: 4 GiB maximum, less where that cannot be reserved. */
export function sharedMemory() {
  let err;
  for (const maximum of [65536, 32768, 16384]) {
    try {
      return new WebAssembly.Memory({ initial: 256, maximum, shared: true });
    } catch (e) {
      err = e;
    }
  }
  throw err;
}

async function spawn(id) {
  const { ex, module, memory } = state;
  const stack = ex.ek_alloc(STACK_BYTES) >>> 0;
  if (stack === 0) throw new RangeError('embedkit: cannot allocate a stack for a worker thread');
  let worker;
  if (state.nodeWT) {
    // Workers inherit the process's flags; --input-type (node -e) would stop them from starting.
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
    worker = new state.nodeWT.Worker(new URL('./pool-worker.js', import.meta.url), { execArgv });
  } else {
    worker = new Worker(new URL('./pool-worker.js', import.meta.url), { type: 'module' });
  }
  const entry = { worker, stack, id, exited: null };
  const exited = new Promise((resolve) => { entry.resolveExit = resolve; });
  entry.exited = exited;
  const ready = new Promise((resolve, reject) => {
    const onMessage = (m) => {
      const data = state?.nodeWT ? m : m.data;
      if (data.ready) resolve();
      else if (data.error) reject(new Error(`embedkit: worker thread ${id} failed to start: ${data.error}`));
      else if (data.exited) entry.resolveExit();
    };
    const onError = (e) => {
      reject(new Error(`embedkit: worker thread ${id} failed: ${e?.message ?? e}`));
      entry.resolveExit();
    };
    if (state.nodeWT) {
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', () => entry.resolveExit());
    } else {
      worker.addEventListener('message', onMessage);
      worker.addEventListener('error', onError);
    }
  });
  worker.postMessage({ module, memory, id, stackTop: stack + STACK_BYTES });
  try {
    await ready;
  } catch (e) {
    worker.terminate();
    ex.ek_free(stack);
    throw e;
  }
  if (state.nodeWT) worker.unref();
  return entry;
}

/**
 * Whether this thread may block in Atomics.wait / memory.atomic.wait32: yes in Node and in
 * workers, no on a browser page's main thread (where it throws).
 */
function canBlock() {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** Remember the threaded instance (called by load.js before any pool exists). */
export async function attach(ex, module, memory) {
  // While the workers finish a job the calling thread spins, then sleeps where it may (pool.c).
  ex.ek_pool_set_can_block(canBlock() ? 1 : 0);
  const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof Worker !== 'function';
  let nodeWT = null;
  if (isNode) {
    const spec = 'node:worker_threads';
    nodeWT = await import(/* webpackIgnore: true */ /* @vite-ignore */ spec);
  }
  state = { ex, module, memory, workers: [], nodeWT, threads: 1 };
}

/** Run kernels on `n` threads (the caller included): starts workers as needed. */
export async function setThreads(n) {
  if (!state) return 1;
  const want = n - 1;
  while (state.workers.length < want) {
    state.workers.push(await spawn(state.workers.length + 1));
  }
  state.ex.ek_pool_set_threads(n);
  state.threads = n;
  return n;
}

/** Stop and terminate every worker; kernels then run on the calling thread. */
export async function stopThreads() {
  if (!state || state.workers.length === 0) {
    if (state) state.threads = 1;
    return;
  }
  const { ex, workers } = state;
  for (const w of workers) w.worker.ref?.();  // keep Node's event loop alive while they leave
  ex.ek_pool_stop();
  let timer;
  await Promise.race([Promise.all(workers.map((w) => w.exited)), new Promise((r) => { timer = setTimeout(r, 2000); })]);
  clearTimeout(timer);
  for (const w of workers) {
    await w.worker.terminate();
    ex.ek_free(w.stack);
  }
  state.workers = [];
  state.threads = 1;
  ex.ek_pool_set_threads(1);
}

/**
 * @internal Chunks each thread ran since the last call (index 0: the calling thread); for tests
 * and the tutorial's "threads at work" figure.
 */
export function threadChunkCounts() {
  if (!state) return [0];
  const n = state.workers.length + 1;
  const p = state.ex.ek_alloc(n * 4) >>> 0;
  state.ex.ek_pool_chunk_counts(p, n);
  const out = Array.from(new Int32Array(state.memory.buffer, p, n));
  state.ex.ek_free(p);
  return out;
}
