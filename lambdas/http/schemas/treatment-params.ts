import * as z from 'zod';

/** A treatment's params as sent and logged: its own with its variant's over them. */
export const TreatmentParams = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
  .optional()
  .meta({ description: "The treatment's params with its variant's over them" });
