import { z } from 'zod';

/** A compliance lint finding as every route answers it (src/lint/profile.ts Finding). */
export const finding = z.object({
  code: z.string(),
  severity: z.enum(['warn', 'refuse']),
  template: z.string().optional(),
  message: z.string(),
  messageZh: z.string().optional().describe("the message in Simplified Chinese (the cn profile's findings)"),
});
