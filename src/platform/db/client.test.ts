import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb } from '../../../test/helpers/db.ts';
import type { Db } from './client.ts';

let db: Db;
beforeAll(async () => {
  db = await createTestDb();
  await db.exec('CREATE TABLE deadlock_probe (workspace_id integer NOT NULL DEFAULT 1, id integer PRIMARY KEY, v integer NOT NULL); INSERT INTO deadlock_probe (id, v) VALUES (1, 0), (2, 0);');
});
afterAll(async () => {
  await db?.close();
});

describe('the database client', () => {
  it('runs two transactions that lock the same rows in opposite order to completion (a deadlock victim is retried)', async () => {
    // Each transaction updates "its" row, waits until the other has too, then updates the
    // other row: on PostgreSQL one of them is chosen as the deadlock victim and must be rerun;
    // PGlite runs transactions one at a time, so the barrier is skipped when it would hang.
    let arrived = 0;
    const barrier = async () => {
      arrived++;
      for (let i = 0; i < 50 && arrived < 2; i++) await new Promise((r) => setTimeout(r, 20));
    };
    let attempts = 0;
    const tx = (first: number, second: number) =>
      db.transaction(async (q) => {
        attempts++;
        await q.query('UPDATE deadlock_probe SET v = v + 1 WHERE id = $1', [first]);
        await barrier();
        await q.query('UPDATE deadlock_probe SET v = v + 1 WHERE id = $1', [second]);
      });
    await Promise.all([tx(1, 2), tx(2, 1)]);
    const r = await db.query<{ id: number; v: number }>('SELECT id, v FROM deadlock_probe ORDER BY id');
    expect(r.rows).toEqual([
      { id: 1, v: 2 },
      { id: 2, v: 2 },
    ]);
    if (db.kind === 'postgres') expect(attempts).toBe(3);
    else expect(attempts).toBe(2);
  });
});
