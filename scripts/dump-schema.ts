/** Writes schema/schema.sql: the schema that the migrations produce, for review (STYLE.md 10). */
import { writeFileSync } from 'node:fs';
import { openDatabase } from '../src/store/database.js';

const db = openDatabase(':memory:');
const rows = db.prepare("SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY type DESC, name").all() as { sql: string }[];
writeFileSync(new URL('../schema/schema.sql', import.meta.url), `${rows.map((r) => `${r.sql};`).join('\n\n')}\n`);
db.close();
