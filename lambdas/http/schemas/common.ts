import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ID_PATTERN } from '#domain/ids.ts';
import { ruleProblem } from '#domain/rules.ts';

extendZodWithOpenApi(z);

export { z };

export const Id = z.string().regex(ID_PATTERN, 'must match ^[A-Za-z0-9._:-]{1,64}$');

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

export const ListOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextToken: z.string().optional() });

/** A tenant-authored JSON Logic rule (or a boolean), checked with the same engine that runs it. */
export const RuleSchema = (description: string) =>
  z
    .union([z.boolean(), z.record(z.string(), z.unknown())])
    .superRefine((rule, ctx) => {
      const problem = ruleProblem(rule);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .openapi({ description });
