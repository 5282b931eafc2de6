import * as z from 'zod';
import { ID_PATTERN, ID_RULE } from '#domain/ids.ts';

export const Id = z.string().regex(ID_PATTERN, `must match ${ID_RULE} (not dots only)`);
