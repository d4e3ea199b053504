// log.js — embedkit's diagnostics: silent unless asked. init({ logLevel }) or setLogLevel()
// picks how much goes to the console, each line prefixed 'embedkit:'.
//   'off' (default) < 'error' < 'warn' < 'info' (what was loaded, from where, how fast) < 'debug'

const LEVELS = ['off', 'error', 'warn', 'info', 'debug'];
let level = 0;

/** Set how much embedkit logs to the console: 'off' (default), 'error', 'warn', 'info' or 'debug'. */
export function setLogLevel(name) {
  if (typeof name !== 'string') throw new TypeError(`embedkit: logLevel must be one of ${LEVELS.join(', ')}, got ${typeof name}`);
  const i = LEVELS.indexOf(name);
  if (i < 0) throw new RangeError(`embedkit: logLevel must be one of ${LEVELS.join(', ')}, got '${name}'`);
  level = i;
}

/** The current level's name. */
export function getLogLevel() {
  return LEVELS[level];
}

/** Log `message` at `name` ('error' | 'warn' | 'info' | 'debug') if the level allows it. */
export function log(name, message) {
  const i = LEVELS.indexOf(name);
  if (i > 0 && i <= level) console[name](`embedkit: ${message}`);
}
