import type { SeedContext } from '../../platform/feature.ts';

/** The demo's scenarios: a welcome series for the document-request form and a seminar invitation. */
export async function seedScenarioDemo(_ctx: SeedContext): Promise<void> {}
