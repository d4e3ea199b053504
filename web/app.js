// app.js — the page's only module script: load embedkit's wasm, then mount every <section
// data-section=NAME> with web/sections/NAME.js. A section that fails shows its error in place
// (and in the console) instead of taking the whole page down.

import { init, features } from 'embedkit';

const status = document.getElementById('status');

async function main() {
  await init();
  status.textContent = `embedkit ${features.version} is running ` +
    (features.simd ? 'with WebAssembly SIMD.' : 'without SIMD (this browser has no wasm SIMD; the fallback build loaded).');
  const sections = [...document.querySelectorAll('section[data-section]')];
  await Promise.all(sections.map(async (root) => {
    const name = root.dataset.section;
    try {
      const mod = await import(`./sections/${name}.js`);
      await mod.mount(root);
      root.dataset.mounted = 'true';
    } catch (err) {
      console.error(`section ${name}:`, err);
      const p = document.createElement('p');
      p.className = 'error';
      p.textContent = `This section failed to load: ${err.message}`;
      root.append(p);
      root.dataset.mounted = 'error';
    }
  }));
  document.body.dataset.ready = 'true';
}

main().catch((err) => {
  console.error(err);
  status.textContent = `Could not start embedkit: ${err.message}`;
  status.classList.add('error');
});
