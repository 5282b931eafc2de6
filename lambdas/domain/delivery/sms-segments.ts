/**
 * How many SMS parts a text takes (3GPP TS 23.038 / 23.040). A text every character of which is in
 * the GSM 7-bit default alphabet or its extension table goes as GSM-7: 160 septets in one message,
 * 153 per part once it is split (7 go to the concatenation header); an extension-table character
 * (an escape plus the character) takes 2 septets. Anything else goes as UCS-2: 70 UTF-16 units in
 * one message, 67 per part; a character outside the Basic Multilingual Plane (most emoji) is a
 * surrogate pair and takes 2 units. Gateways do not split a septet pair or a surrogate pair across
 * parts, so parts are filled character by character, not by dividing the length.
 */

/** The GSM 03.38 default alphabet (basic character set), one septet each. */
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);

/** The extension table: an escape septet plus the character, 2 septets each. */
const GSM7_EXTENSION = new Set('^{}\\[~]|€\f');

export type SmsEncoding = 'gsm7' | 'ucs2';

export const SMS_LIMITS = {
  gsm7: { single: 160, perPart: 153 },
  ucs2: { single: 70, perPart: 67 },
} as const;

export interface SmsMeasure {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 units (UCS-2) of the whole text. */
  units: number;
  /** Parts the text is sent as; at least 1 (an empty text is one empty message). */
  segments: number;
}

/** The encoding a text needs: GSM-7 when every character has a septet, else UCS-2. */
export function smsEncodingOf(text: string): SmsEncoding {
  for (const ch of text) if (!GSM7_BASIC.has(ch) && !GSM7_EXTENSION.has(ch)) return 'ucs2';
  return 'gsm7';
}

/** The units of each character, in order (code points, so a surrogate pair is one character of 2 units). */
function unitsOf(text: string, encoding: SmsEncoding): number[] {
  const out: number[] = [];
  for (const ch of text) out.push(encoding === 'gsm7' ? (GSM7_EXTENSION.has(ch) ? 2 : 1) : ch.length);
  return out;
}

/** Encoding, units and parts of an SMS text. */
export function measureSms(text: string): SmsMeasure {
  const encoding = smsEncodingOf(text);
  const units = unitsOf(text, encoding);
  const total = units.reduce((a, b) => a + b, 0);
  const limits = SMS_LIMITS[encoding];
  if (total <= limits.single) return { encoding, units: total, segments: 1 };
  let segments = 1;
  let used = 0;
  for (const u of units) {
    if (used + u > limits.perPart) {
      segments++;
      used = 0;
    }
    used += u;
  }
  return { encoding, units: total, segments };
}

/** Parts an SMS text is sent as. */
export const smsSegments = (text: string): number => measureSms(text).segments;
