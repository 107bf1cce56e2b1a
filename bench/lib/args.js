'use strict';
// Reading a bench's size settings (argument or environment), shared by the benches in bench/.

/** A whole number >= 1 from an argument or environment variable, or `fallback` when unset. */
function positiveInt(value, name, fallback) {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`${name} must be a whole number >= 1, got ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return n;
}

module.exports = { positiveInt };
