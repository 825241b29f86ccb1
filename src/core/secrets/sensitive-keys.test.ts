import { describe, expect, it } from "vitest";
import { isSensitiveKey, redactConnection, secretValuesOf } from "./sensitive-keys.js";
import type { Connection } from "../model/connection.js";

const base: Connection = {
  id: "c",
  type: "http",
  host: "h",
  port: null,
  login: "me",
  password: "hunter22",
  schema: null,
  extra: {},
};

describe("isSensitiveKey", () => {
  it.each([
    "password",
    "DB_PASSWORD",
    "client_secret",
    "Authorization",
    "api-key",
    "ApiKey",
    "access_token",
    "slack_token",
    "private_key_pem",
    "gcp_credentials",
    "passwd",
    "connection_string",
    "sas_token",
  ])("%s is sensitive", (k) => expect(isSensitiveKey(k)).toBe(true));
  it.each(["host", "region", "schema", "login", "bucket"])("%s is not", (k) => expect(isSensitiveKey(k)).toBe(false));
});

describe("secretValuesOf / redactConnection", () => {
  const c: Connection = { ...base, extra: { region: "eu", "API-Key": "k-123456", token: "t-abcdef" } };
  it("lists the password and sensitive extras", () => {
    expect(secretValuesOf(c)).toEqual(["hunter22", "k-123456", "t-abcdef"]);
  });
  it("redacts them, keeping the rest", () => {
    expect(redactConnection(c)).toEqual({ ...c, password: "***", extra: { region: "eu", "API-Key": "***", token: "***" } });
    expect(redactConnection({ ...c, password: null }).password).toBeNull();
  });
});
