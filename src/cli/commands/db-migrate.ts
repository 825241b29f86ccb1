import { withRuntime, type CommonOptions } from "../runtime.js";

/** Opening the store applies pending migrations; this makes it explicit. */
export async function dbMigrate(opts: CommonOptions): Promise<number> {
  return withRuntime(opts, async (rt) => {
    await rt.store.migrate();
    process.stdout.write(`Database is up to date (${rt.config.databaseUrl.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@")}).\n`);
    return 0;
  });
}
