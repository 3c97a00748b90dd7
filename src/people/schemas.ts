import { z } from 'zod';
import { STAGES } from '../lifecycle/stages.ts';

const text = (max = 200) => z.string().max(max).nullable().optional();

/** The writable fields of a person, shared by create (upsert) and patch. */
export const personFields = {
  lastName: text(),
  firstName: text(),
  lastNameKana: text(),
  firstNameKana: text(),
  company: text(300),
  department: text(),
  title: text(),
  phone: text(50),
  industry: text(100),
  employeeCount: z.number().int().min(0).max(10_000_000).nullable().optional(),
  prefecture: text(50),
  country: text(100),
  source: text(200),
  channel: text(100),
  ownerId: z.uuid().nullable().optional(),
  consent: z.boolean().optional(),
  customFields: z.record(z.string().max(100), z.unknown()).optional(),
};

export const createPersonBody = z.object({ email: z.string().min(3).max(254), ...personFields }).strict();
export const patchPersonBody = z.object({ email: z.string().min(3).max(254).optional(), ...personFields }).strict();

export const stageSchema = z.enum(STAGES);

const csv = <T extends z.ZodTypeAny>(item: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(item).max(20)).optional();

export const listPeopleQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
  email: z.string().max(254).optional(),
  stage: csv(stageSchema),
  ownerId: z.uuid().optional(),
  unowned: z.enum(['true', 'false']).optional(),
  accountId: z.uuid().optional(),
  channel: z.string().max(100).optional(),
  fitGrade: csv(z.enum(['A', 'B', 'C', 'D'])),
  minEngagement: z.coerce.number().int().optional(),
  q: z.string().max(200).optional(),
  sort: z.enum(['created', 'score', 'name', 'updated']).optional(),
});

export const idParams = z.object({ id: z.uuid() });
