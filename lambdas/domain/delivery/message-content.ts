import { treatmentText, type Action, type Treatment } from '../action.ts';
import type { Channel, CustomerRecord } from '../customer.ts';
import type { FieldError } from '../errors.ts';
import { parseTemplate, renderTemplate, widestRendering } from './placeholders.ts';
import { smsSegments } from './sms-segments.ts';
import { variantProblems } from '../decisioning/variants.ts';

/** What a market allows of a message's content (market config `delivery`). */
export interface ContentRules {
  /** An SMS text, each placeholder at its declared width, may take at most this many parts. */
  maxSmsSegments: number;
}

export const DEFAULT_MAX_SMS_SEGMENTS = 3;

/**
 * What is wrong with an action's treatment texts, one error per language and problem, each naming
 * the field (`treatments.<channel>.text.<language>`, `treatments.<channel>.variants.<i>.text.<language>`):
 * placeholders that do not parse or name an unknown path, and, with `rules`, SMS texts longer than
 * the market's parts at their widest; and variant lists with a weight not above 0 or an id twice.
 */
export function treatmentProblems(
  treatments: Partial<Record<Channel, Pick<Treatment, 'text' | 'variants'>>>,
  rules?: ContentRules,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const [channel, treatment] of Object.entries(treatments)) {
    const prefix = `treatments.${channel}`;
    errors.push(...textProblems(channel, treatment?.text ?? {}, `${prefix}.text`, rules));
    errors.push(...variantProblems(treatment?.variants, `${prefix}.variants`));
    // a variant's text is what some customers get: it is held to the same rules
    (treatment?.variants ?? []).forEach((v, i) => {
      errors.push(...textProblems(channel, v.text ?? {}, `${prefix}.variants.${i}.text`, rules));
    });
  }
  return errors;
}

function textProblems(
  channel: string,
  texts: Record<string, string>,
  fieldPrefix: string,
  rules: ContentRules | undefined,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const [language, text] of Object.entries(texts)) {
    const field = `${fieldPrefix}.${language}`;
    const { problems } = parseTemplate(text);
    for (const message of problems) errors.push({ field, message });
    if (problems.length || channel !== 'sms' || !rules) continue;
    const segments = smsSegments(widestRendering(text));
    if (segments > rules.maxSmsSegments)
      errors.push({
        field,
        message: `the ${language} SMS text takes ${segments} segments with each placeholder at its width; the market allows ${rules.maxSmsSegments}`,
      });
  }
  return errors;
}

/** The content of a message as it is handed off: the text (placeholders filled) and, for SMS, its parts. */
export type MessageContent = { text?: string; segments?: number } | { missing: string[] };

/**
 * The customer's text of a treatment, rendered from the profile, the state (as the API shows it)
 * and the action; SMS texts carry their segment count. No treatment or no text: no content.
 */
export function messageContent(input: {
  channel: Channel;
  treatment: Pick<Treatment, 'text'> | undefined;
  language: string | undefined;
  defaultLanguage: string;
  profile: CustomerRecord | undefined;
  state: unknown;
  action: Action | undefined;
}): MessageContent {
  const template = input.treatment
    ? treatmentText(input.treatment as Treatment, input.language, input.defaultLanguage)
    : undefined;
  if (template === undefined) return {};
  return renderedContent(input.channel, template, {
    profile: input.profile,
    state: input.state,
    action: input.action,
  });
}

/** A template's text rendered, with the SMS segment count, or the placeholders that had no value. */
export function renderedContent(
  channel: Channel,
  template: string,
  sources: Parameters<typeof renderTemplate>[1],
): MessageContent {
  const rendered = renderTemplate(template, sources);
  if ('missing' in rendered) return rendered;
  return { text: rendered.text, ...(channel === 'sms' ? { segments: smsSegments(rendered.text) } : {}) };
}

/** Why a message was not handed off because of its content (counted like the sender's skips). */
export const MISSING_PLACEHOLDER = 'missing-placeholder';
