/**
 * The country of an E.164 number, for pricing an SMS by its destination: the calling codes of the
 * countries the SMS price table has (sending-prices.ts), matched longest prefix first.
 *
 * Country codes are prefix-free (ITU-T E.164), so a number of a country not listed here matches
 * none and stays unknown. The one code shared by several countries the table prices is +1 (the
 * North American Numbering Plan): there the area code decides, so Canada's area codes and those of
 * the other NANP countries and territories are listed (AWS prices them as their own countries, as it
 * does Puerto Rico), and the rest of +1 is the United States. Area codes from NANPA's assignments
 * (nanpa.com), current to 2025: a Canadian overlay opened later is priced as the US until added.
 */
const CANADA = [
  204, 226, 236, 249, 250, 257, 263, 289, 306, 343, 354, 365, 367, 368, 382, 403, 416, 418, 428, 431, 437, 438, 450,
  468, 474, 506, 514, 519, 548, 579, 581, 584, 587, 604, 613, 639, 647, 672, 683, 705, 709, 742, 753, 778, 780, 782,
  807, 819, 825, 867, 873, 879, 902, 905, 942,
];

/** NANP area codes outside the US and Canada, by ISO 3166-1 country (none is priced: they fall back, flagged). */
const OTHER_NANP: Record<string, number[]> = {
  AG: [268],
  AI: [264],
  AS: [684],
  BB: [246],
  BM: [441],
  BS: [242],
  DM: [767],
  DO: [809, 829, 849],
  GD: [473],
  GU: [671],
  JM: [658, 876],
  KN: [869],
  KY: [345],
  LC: [758],
  MP: [670],
  MS: [664],
  PR: [787, 939],
  SX: [721],
  TC: [649],
  TT: [868],
  VC: [784],
  VG: [284],
  VI: [340],
};

/** Calling code (digits after the plus) → ISO 3166-1 alpha-2 country. */
export const CALLING_CODES: Readonly<Record<string, string>> = {
  '1': 'US',
  ...Object.fromEntries(CANADA.map((area) => [`1${area}`, 'CA'])),
  ...Object.fromEntries(Object.entries(OTHER_NANP).flatMap(([iso, areas]) => areas.map((a) => [`1${a}`, iso]))),
  '20': 'EG',
  '27': 'ZA',
  '31': 'NL',
  '33': 'FR',
  '34': 'ES',
  '44': 'GB',
  '49': 'DE',
  '52': 'MX',
  '55': 'BR',
  '81': 'JP',
  '91': 'IN',
  '234': 'NG',
  '254': 'KE',
  '264': 'NA',
  '267': 'BW',
  '966': 'SA',
  '971': 'AE',
};

/** The longest code in the table: no prefix beyond it needs looking at. */
const LONGEST = Math.max(...Object.keys(CALLING_CODES).map((c) => c.length));

/**
 * The ISO country of an E.164 number (`+27821234567` → ZA), by the longest calling code it starts
 * with; undefined for anything that is not `+` and digits, or whose code the table does not have.
 */
export function countryOfNumber(number: string): string | undefined {
  if (!/^\+[1-9]\d+$/.test(number)) return undefined;
  const digits = number.slice(1);
  for (let n = Math.min(LONGEST, digits.length - 1); n > 0; n--) {
    const country = CALLING_CODES[digits.slice(0, n)];
    if (country) return country;
  }
  return undefined;
}
