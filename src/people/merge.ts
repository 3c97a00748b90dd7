import { cleanText, normalizeKana, normalizePhone } from './normalize.ts';
import { PROFILE_FIELDS, type PersonInput, type ProfileField } from './person.ts';

export type ProfileValues = Partial<Record<ProfileField, string | number | null>>;

/** Normalises the profile part of an input: trimmed text, full-width kana, half-width phone digits. */
export function normalizeProfile(input: Partial<PersonInput>): ProfileValues {
  const out: ProfileValues = {};
  for (const field of Object.keys(PROFILE_FIELDS) as ProfileField[]) {
    const raw = input[field];
    if (raw === undefined) continue;
    if (field === 'employeeCount') {
      out[field] = raw === null || raw === '' ? null : Number(raw);
    } else if (field === 'phone') {
      out[field] = normalizePhone(raw as string) ?? null;
    } else if (field === 'lastNameKana' || field === 'firstNameKana') {
      out[field] = normalizeKana(raw as string) ?? null;
    } else {
      out[field] = cleanText(raw) ?? null;
    }
  }
  return out;
}

/**
 * The merge rule for upserts: a new non-empty value wins, an empty one never blanks what we
 * have. Returns only the fields that change.
 */
export function mergeProfile(current: ProfileValues, incoming: ProfileValues): ProfileValues {
  const changes: ProfileValues = {};
  for (const field of Object.keys(incoming) as ProfileField[]) {
    const value = incoming[field];
    if (value === null || value === undefined || value === '') continue;
    if (current[field] !== value) changes[field] = value;
  }
  return changes;
}
