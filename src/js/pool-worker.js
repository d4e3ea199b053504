// pool-worker.js — one worker of embedkit's thread pool (a Web Worker or a Node worker_thread).
// It instantiates the threaded module on the shared memory it is sent, moves its stack pointer to
// the stack the main instance allocated for it, and runs ek_pool_worker (src/c/pool.c), which
// takes chunks of parallel kernels until the pool stops. A trap inside a chunk is reported to the
// pool (the caller's call then fails) and the worker goes back to work.

async function start(post, msg) {
  const { module, memory, id, stackTop } = msg;
  let ex;
  try {
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    ex = instance.exports;
    ex.__stack_pointer.value = stackTop;
  } catch (err) {
    post({ id, error: String(err?.message ?? err) });
    return;
  }
  post({ id, ready: true });
  for (;;) {
    try {
      ex.ek_pool_worker(id);
      break;  // the pool stopped
    } catch {
      ex.__stack_pointer.value = stackTop;
      ex.ek_pool_worker_trapped(id);
    }
  }
  post({ id, exited: true });
}

if (typeof globalThis.WorkerGlobalScope === 'function' && globalThis instanceof globalThis.WorkerGlobalScope) {
  globalThis.addEventListener('message', (e) => start((m) => globalThis.postMessage(m), e.data), { once: true });
} else {
  // No top-level await: bundlers may emit this worker as a classic (iife) script.
  const spec = 'node:worker_threads';
  import(/* webpackIgnore: true */ /* @vite-ignore */ spec).then(({ parentPort }) => {
    parentPort.once('message', (msg) => start((m) => parentPort.postMessage(m), msg));
  });
}
