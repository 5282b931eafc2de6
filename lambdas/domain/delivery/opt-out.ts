/**
 * Replies that opt a customer out of the channel they came on (`message.inbound`). A reply is an
 * opt-out when its whole text, trimmed, is one of the market's keywords in any of its languages
 * (a customer may answer in another language than their profile's), compared case-insensitively:
 * "stop", " Stop " and "STOP" are; "please stop" and "STOP 2" are not, so a conversation that
 * mentions the word does not end the channel.
 */

/** Opts out in every market: the word handsets, regulators and customers expect everywhere. */
export const ALWAYS_OPT_OUT = 'STOP';

/** Case and width folded (full-width Latin letters as their ASCII forms), for comparing keywords. */
const folded = (text: string): string => text.normalize('NFKC').trim().toLocaleUpperCase('und');

/** The market's keywords of every language, with STOP, each once and folded. */
export function optOutKeywordsOf(byLanguage: Readonly<Record<string, readonly string[]>>): string[] {
  return [...new Set([ALWAYS_OPT_OUT, ...Object.values(byLanguage).flat()].map(folded))];
}

/** True when the reply is an opt-out keyword. */
export const isOptOut = (text: string, keywords: readonly string[]): boolean => {
  const reply = folded(text);
  return reply.length > 0 && keywords.some((k) => folded(k) === reply);
};
