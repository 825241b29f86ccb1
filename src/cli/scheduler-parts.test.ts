import { describe, expect, it } from "vitest";
import { redactDatabaseUrl } from "./scheduler-parts.js";

describe("redactDatabaseUrl (the banners' Database line)", () => {
  it("hides a PostgreSQL password and keeps the rest", () => {
    expect(redactDatabaseUrl("postgres://baton:s3cr%40t@db.internal:5432/baton")).toBe("postgres://baton:***@db.internal:5432/baton");
    expect(redactDatabaseUrl("postgresql://u:p@h/d?sslmode=require")).toBe("postgresql://u:***@h/d?sslmode=require");
  });
  it("leaves a URL without password and a SQLite path unchanged", () => {
    expect(redactDatabaseUrl("postgres://baton@127.0.0.1:5432/baton")).toBe("postgres://baton@127.0.0.1:5432/baton");
    expect(redactDatabaseUrl("/var/lib/baton/baton.db")).toBe("/var/lib/baton/baton.db");
  });
});
