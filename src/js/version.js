// Kept equal to package.json's version by tests/loader.test.js.
export const VERSION = '0.1.0';
