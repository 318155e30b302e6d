// drizzle-kit: `npx drizzle-kit generate` writes SQL migrations from the schema; they are committed and applied on start.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './server/adapters/db/schema.ts',
  out: './server/adapters/db/migrations',
});
