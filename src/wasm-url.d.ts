// Types of the asset subpaths 'embedkit/embedkit.wasm' and 'embedkit/embedkit-nosimd.wasm'.
// Bundlers turn such an import into the URL of the emitted file (webpack 5 asset modules,
// esbuild --loader:.wasm=file, Vite with the ?url suffix, which vite/client types itself):
//   import simd from 'embedkit/embedkit.wasm';
//   await init({ wasmPaths: { simd, nosimd } });
// Plain Node cannot import a .wasm file this way; there, init() finds the files itself.
declare const url: string;
export default url;
