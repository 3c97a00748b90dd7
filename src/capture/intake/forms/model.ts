import { z } from 'zod';
import { DEFAULT_CHANNELS } from '../../../people/channels.ts';
import { PROFILE_FIELDS } from '../../../people/person.ts';

export const FIELD_TYPES = ['email', 'text', 'tel', 'number', 'select', 'checkbox', 'textarea'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** Field keys that fill the person's profile; any other key is a free question kept with the submission. */
export const PERSON_KEYS = new Set<string>(['email', ...Object.keys(PROFILE_FIELDS)]);

export const formFieldSchema = z
  .object({
    key: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]{0,49}$/, 'letters, digits and _ (starting with a letter), at most 50')
      .describe('The input name; person fields (email, lastName, lastNameKana, company…) fill the profile'),
    label: z.string().min(1).max(200),
    type: z.enum(FIELD_TYPES),
    required: z.boolean().optional(),
    options: z.array(z.string().min(1).max(200)).max(100).optional().describe('Choices of a select'),
    placeholder: z.string().max(200).optional(),
  })
  .strict();
export type FormField = z.infer<typeof formFieldSchema>;

const httpUrl = z
  .url()
  .max(2000)
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL');

const formProps = {
  name: z.string().min(1).max(200),
  description: z.string().max(2000).nullable().optional(),
  fields: z.array(formFieldSchema).min(1).max(50),
  campaignId: z.uuid().nullable().optional(),
  channel: z
    .string()
    .max(100)
    .nullable()
    .optional()
    .describe('First-touch channel of new leads without UTM (default: the campaign’s, else web)'),
  consentText: z.string().max(2000).nullable().optional(),
  consentRequired: z.boolean().optional(),
  submitLabel: z.string().max(100).nullable().optional(),
  thankYouMessage: z.string().max(5000).nullable().optional(),
  redirectUrl: httpUrl.nullable().optional(),
  minFillSeconds: z
    .number()
    .int()
    .min(0)
    .max(600)
    .optional()
    .describe('Posts sooner after the form was shown are refused as bots (default 3)'),
};

export const createFormBody = z.object(formProps).strict();
export const patchFormBody = z.object(formProps).partial().strict();
export type FormInput = z.infer<typeof createFormBody>;

export interface Form {
  id: string;
  name: string;
  description: string | null;
  fields: FormField[];
  campaignId: string | null;
  channel: string | null;
  consentText: string | null;
  consentRequired: boolean;
  submitLabel: string | null;
  thankYouMessage: string | null;
  redirectUrl: string | null;
  minFillSeconds: number;
  spamBlocked: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface FormRow {
  id: string;
  workspace_id: number;
  name: string;
  description: string | null;
  fields: FormField[];
  campaign_id: string | null;
  channel: string | null;
  consent_text: string | null;
  consent_required: boolean;
  submit_label: string | null;
  thank_you_message: string | null;
  redirect_url: string | null;
  min_fill_seconds: number;
  spam_blocked: number;
  created_at: Date;
  updated_at: Date;
}

export const FORM_COLUMNS = `id, workspace_id, name, description, fields, campaign_id, channel, consent_text, consent_required,
  submit_label, thank_you_message, redirect_url, min_fill_seconds, spam_blocked, created_at, updated_at`;

export const toForm = (r: FormRow): Form => ({
  id: r.id,
  name: r.name,
  description: r.description,
  fields: r.fields,
  campaignId: r.campaign_id,
  channel: r.channel,
  consentText: r.consent_text,
  consentRequired: r.consent_required,
  submitLabel: r.submit_label,
  thankYouMessage: r.thank_you_message,
  redirectUrl: r.redirect_url,
  minFillSeconds: r.min_fill_seconds,
  spamBlocked: r.spam_blocked,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/**
 * The rules zod cannot say: keys are unique, an `email` field of type email exists (a
 * submission must identify a person), person fields have a fitting type, selects have options.
 * Returns problems as [path, message] pairs.
 */
export function checkFields(fields: FormField[]): [string, string][] {
  const problems: [string, string][] = [];
  const seen = new Set<string>();
  fields.forEach((f, i) => {
    if (seen.has(f.key)) problems.push([`fields[${i}].key`, `duplicate key ${f.key}`]);
    seen.add(f.key);
    if (f.key === 'consent')
      problems.push([`fields[${i}].key`, 'consent is set with consentText, not as a field']);
    if (f.key === 'email' && f.type !== 'email')
      problems.push([`fields[${i}].type`, 'the email field must have type email']);
    if (f.key === 'employeeCount' && f.type !== 'number' && f.type !== 'select') {
      problems.push([`fields[${i}].type`, 'employeeCount must be a number or a select']);
    }
    if (f.type === 'select' && !(f.options && f.options.length > 0))
      problems.push([`fields[${i}].options`, 'a select needs options']);
  });
  if (!fields.some((f) => f.key === 'email'))
    problems.push(['fields', 'a form needs a field with key "email"']);
  return problems;
}

export const CHANNEL_KEYS = new Set(DEFAULT_CHANNELS.map((c) => c.key));
