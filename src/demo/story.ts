import type { SeedContext } from '../platform/feature.ts';

/** The foundation's demo story; see the demo-data helper's implementation. */
export async function seedStory(ctx: SeedContext, passwordHash: string): Promise<void> {
  await ctx.db.query(
    `INSERT INTO users (workspace_id, email, name, password_hash, role)
     VALUES (1, 'admin@demo.leadflow.jp', '管理者 太郎', $1, 'admin') ON CONFLICT DO NOTHING`,
    [passwordHash],
  );
}
