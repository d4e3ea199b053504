// The README's first command, `npm install`, must work on a fresh machine with no environment
// variable. onnxruntime-node (a test peer) has a postinstall that downloads CUDA provider files
// from api.nuget.org on linux/x64; without network it fails the whole install. The repository
// skips it in two ways: "allowScripts" in package.json (npm 11's install-script policy) and
// `onnxruntime-node-install=skip` in .npmrc (npm 10, which runs every dependency script).
// Each test runs npm with an environment scrubbed of npm_config_* and ONNXRUNTIME_* (as on a
// fresh machine) and points the installer's proxy at a closed port, so a script that was not
// skipped fails in milliseconds instead of downloading.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function freshEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) || /^ONNXRUNTIME_NODE_INSTALL/i.test(k)) continue;
    env[k] = v;
  }
  env.GLOBAL_AGENT_HTTP_PROXY = env.GLOBAL_AGENT_HTTPS_PROXY = 'http://127.0.0.1:9';
  return env;
}
const npm = (args) => spawnSync('npm', args, { cwd: root, env: freshEnv(), encoding: 'utf8', timeout: 60_000 });

test('install: npm (this machine\'s version) rebuilds onnxruntime-node without trying to download', { timeout: 90_000 }, () => {
  const r = npm(['rebuild', 'onnxruntime-node', '--foreground-scripts']);
  const out = r.stdout + r.stderr;
  assert.equal(r.status, 0, `npm rebuild onnxruntime-node failed:\n${out}`);
  assert.doesNotMatch(out, /nuget|ENOTFOUND|ECONNREFUSED|Downloading/i);
});

test('install: npm 10 route: .npmrc tells the onnxruntime-node installer to skip', { timeout: 90_000 }, () => {
  // npm 10 runs the postinstall with the project config exported as npm_config_* variables and
  // npm_package_json naming the dependency's package.json. Read the exported value through
  // npm exec (same export on npm 10 and 11), then run the installer with that environment.
  const q = npm(['exec', '--call', 'node -p "process.env.npm_config_onnxruntime_node_install ?? \'(unset)\'"']);
  assert.equal(q.status, 0, q.stdout + q.stderr);
  const flag = q.stdout.trim().split('\n').pop();
  const dep = `${root}node_modules/onnxruntime-node`;
  const env = { ...freshEnv(), npm_config_local_prefix: root.replace(/\/$/, ''), npm_package_json: `${dep}/package.json` };
  if (flag !== '(unset)') env.npm_config_onnxruntime_node_install = flag;
  const r = spawnSync(process.execPath, ['./script/install.js'], { cwd: dep, env, encoding: 'utf8', timeout: 60_000 });
  const out = r.stdout + r.stderr;
  assert.equal(flag, 'skip');
  assert.equal(r.status, 0, `onnxruntime-node's install script failed:\n${out}`);
  assert.doesNotMatch(out, /nuget|ENOTFOUND|ECONNREFUSED|Downloading/i);
});

test('install: every dependency with an install script is covered by allowScripts (npm 11 stays quiet)', { timeout: 60_000 }, () => {
  const r = npm(['install-scripts', 'ls']);
  if (r.status !== 0 && /Unknown command: "install-scripts"/.test(r.stdout + r.stderr)) {
    return; // npm 10 has no install-script policy; the .npmrc test covers it
  }
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /No packages with unreviewed install scripts/);
});
