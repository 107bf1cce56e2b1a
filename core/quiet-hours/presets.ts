/**
 * The built-in quiet-hours presets: each a policy plus where it comes from and when that was last
 * checked. Few of these rules are law (the US one is; the French ones are an industry charter, the
 * rest carrier or common practice), so every preset names its basis and sources, and a policy can
 * start from one and replace the parts that differ for a sender (`{ preset, holidays: ... }`).
 */
import { kindOf } from '../errors';
import type { PresetId, QuietHoursPreset, TimeWindow, Weekday } from './types';
import { invalid, quote } from './validate';

/** Date the presets were last checked against their sources (DESIGN research date). */
const REVIEWED = '2026-11-22';

const EVERY_DAY: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const MON_TO_SAT: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MON_TO_FRI: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];

function on(days: readonly Weekday[], from: string, to: string): Partial<Record<Weekday, TimeWindow[]>> {
  return Object.fromEntries(days.map((day) => [day, [{ from, to }]]));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

const LIST: readonly QuietHoursPreset[] = [
  {
    id: 'us-tcpa',
    label: 'United States, TCPA: every day 08:00–21:00',
    windows: on(EVERY_DAY, '08:00', '21:00'),
    holidays: false,
    basis:
      'Federal rule (47 CFR 64.1200(c)(1)): no telephone solicitation before 8 a.m. or after 9 p.m. local time at the ' +
      'called party’s location; the FCC applies it to marketing texts. Several states are stricter (e.g. Florida, ' +
      'Oklahoma, Maryland 08:00–20:00; some close Sundays and holidays): override the windows for them.',
    sources: [
      'https://www.ecfr.gov/current/title-47/chapter-I/subchapter-B/part-64/subpart-L/section-64.1200',
      'https://www.dropcowboy.com/state-compliance',
      'https://blog.clickpointsoftware.com/telemarketing-calling-hours-by-state',
    ],
    lastReviewed: REVIEWED,
  },
  {
    id: 'fr-legacy',
    label: 'France, legacy practice: Monday–Saturday 08:00–20:00, no Sundays or public holidays',
    windows: on(MON_TO_SAT, '08:00', '20:00'),
    holidays: { country: 'FR', types: ['public'] },
    basis:
      'Provider terms of service predating the af2m charter (e.g. SMSFactor); not statute. The most conservative ' +
      'French rule.',
    sources: ['https://dev.smsfactor.com/fr/api/sms/a-propos-du-sms'],
    lastReviewed: REVIEWED,
  },
  {
    id: 'fr-af2m-2024',
    label: 'France, af2m charter 2024: working days (Monday–Saturday) 08:00–22:00, no public holidays',
    windows: on(MON_TO_SAT, '08:00', '22:00'),
    holidays: { country: 'FR', types: ['public'] },
    basis:
      'af2m Business Messaging charter (operators and aggregators, applicable 2024-09-01): messages routed only on ' +
      '"jours ouvrables" (Monday–Saturday except public holidays) 08:00–22:00. Industry charter, not statute; ' +
      'replaced by the 2026 charter.',
    sources: [
      'https://af2m.org/la-charte-de-deontologie-applicable-aux-services-de-business-messaging-est-effective-depuis-le-1er-septembre-2024',
    ],
    lastReviewed: REVIEWED,
  },
  {
    id: 'fr-af2m-2026',
    label: 'France, af2m charter 2026: every day 08:00–21:30, Sundays and holidays allowed',
    windows: on(EVERY_DAY, '08:00', '21:30'),
    holidays: false,
    basis:
      'af2m Business Messaging charter 2026 (published 2026-02-17): promotional SMS/RCS 08:00–21:30; Sundays and ' +
      'public holidays tolerated but not recommended ("sobriety"). Industry charter, not statute.',
    sources: [
      'https://af2m.org/charte-business-messaging-2026-laf2m-renforce-les-regles-du-jeu',
      'https://www.ecranmobile.fr/Business-Messaging-l-af2m-harmonise-sa-charte-pour-mieux-proteger-les-consommateurs_a78664.amp.html',
    ],
    lastReviewed: REVIEWED,
  },
  {
    id: 'in-trai-promo',
    label: 'India, DLT promotional: every day 10:00–21:00',
    windows: on(EVERY_DAY, '10:00', '21:00'),
    holidays: false,
    basis:
      'Operator enforcement on the TRAI DLT platforms (TCCCPR 2018) since October 2025: promotional and ' +
      'service-explicit messages only 10:00–21:00 IST, rejected otherwise (error 651 EC_INVALID_PROMO_TIME). ' +
      'Older guidance said 09:00–21:00.',
    sources: [
      'https://crm.smsgatewayhub.com/knowledge-base/article/important-update-new-service-explicit-message-restriction-time-10-am-to-9-pm',
    ],
    lastReviewed: REVIEWED,
  },
  {
    id: 'br-marketing',
    label: 'Brazil, carrier practice: Monday–Friday 08:00–18:00, Saturday 09:00–13:00, no national holidays',
    windows: { ...on(MON_TO_FRI, '08:00', '18:00'), ...on(['sat'], '09:00', '13:00') },
    holidays: { country: 'BR', types: ['public'] },
    basis:
      'Carrier and provider rules, no statute: marketing Monday–Friday 08:00–18:00, Saturday 09:00–13:00, none on ' +
      'national holidays. Judged in the recipient’s zone: Brazil spans four.',
    sources: ['https://help.clicksend.com/article/an2xy6g7zu-brazil'],
    lastReviewed: REVIEWED,
  },
  {
    id: 'uk-practice',
    label: 'United Kingdom, common practice: every day 09:00–20:00',
    windows: on(EVERY_DAY, '09:00', '20:00'),
    holidays: false,
    basis:
      'No statutory hours: the DMA Code asks to avoid "antisocial" times and 09:00–20:00 is common practice. ' +
      'PECR regulation 22 governs consent.',
    sources: ['https://help.listrak.com/en/articles/8291119'],
    lastReviewed: REVIEWED,
  },
  {
    id: 'de-practice',
    label: 'Germany, common practice: every day 08:00–20:00',
    windows: on(EVERY_DAY, '08:00', '20:00'),
    holidays: false,
    basis:
      'No statutory hours (UWG §7 requires prior express consent for SMS advertising); 08:00–20:00 is vendor ' +
      'practice (kb.zap.co.uk). Add German public holidays with `holidays: { country: "DE", state: ... }`.',
    sources: ['https://www.gesetze-im-internet.de/uwg_2004/__7.html'],
    lastReviewed: REVIEWED,
  },
];

/** Every preset by id. Frozen: a policy overrides parts of a preset, it never edits one. */
export const PRESETS: Readonly<Record<PresetId, QuietHoursPreset>> = deepFreeze(
  Object.fromEntries(LIST.map((preset) => [preset.id, preset])) as Record<PresetId, QuietHoursPreset>,
);

export const PRESET_IDS: readonly PresetId[] = Object.freeze(LIST.map((preset) => preset.id));

/** Presets in the order a picker shows them. */
export function listPresets(): QuietHoursPreset[] {
  return PRESET_IDS.map((id) => PRESETS[id]);
}

/** The preset of a known id (case and surrounding blanks ignored), else `undefined`. */
export function findPreset(id: string): QuietHoursPreset | undefined {
  // Length first: the id may be anything a user pasted.
  if (id.length > 40) return undefined;
  const key = id.trim().toLowerCase();
  return Object.hasOwn(PRESETS, key) ? PRESETS[key as PresetId] : undefined;
}

/** The preset of an id; INVALID_INPUT naming the valid ids otherwise. */
export function getPreset(id: string): QuietHoursPreset {
  const preset = typeof id === 'string' ? findPreset(id) : undefined;
  if (preset) return preset;
  const what =
    typeof id === 'string' ? `Unknown quiet-hours preset ${quote(id)}` : `A quiet-hours preset id must be text, got ${kindOf(id)}`;
  throw invalid(`${what}; valid presets: ${PRESET_IDS.join(', ')}`);
}
