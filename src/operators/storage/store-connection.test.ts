import { describe, expect, it } from "vitest";
import { parseConnectionUri } from "../../core/secrets/connection-uri.js";
import { azureConfig, checkConnectionType, gcsConfig, s3Config } from "./store-connection.js";

const conn = (uri: string) => parseConnectionUri("c", uri);

describe("how each store reads its connection", () => {
  it("s3: keys, endpoint from host:port with path style, region", () => {
    expect(s3Config(conn("aws://AKID:se%2Fcret@127.0.0.1:9000?scheme=http&region=eu-west-1"))).toEqual({
      endpoint: "http://127.0.0.1:9000",
      region: "eu-west-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "AKID", secretAccessKey: "se/cret" },
      etagIsMd5: true,
    });
    expect(s3Config(conn("aws://AKID:s@?region_name=us-west-2&session_token=T&etag_is_md5=false"))).toEqual({
      region: "us-west-2",
      forcePathStyle: false,
      credentials: { accessKeyId: "AKID", secretAccessKey: "s", sessionToken: "T" },
      etagIsMd5: false,
    });
    expect(s3Config(conn("aws://?endpoint_url=https%3A%2F%2Fminio.example%3A9000&force_path_style=false"))).toMatchObject({
      endpoint: "https://minio.example:9000",
      forcePathStyle: false,
    });
    expect(s3Config(null)).toEqual({ region: "us-east-1", forcePathStyle: false, etagIsMd5: true });
    expect(() => s3Config(conn("aws://h?force_path_style=maybe"))).toThrow(/force_path_style must be true or false/);
  });

  it("az: connection string, account key with an Azurite endpoint, SAS, or the public endpoint", () => {
    expect(azureConfig(conn("wasb://?connection_string=UseDevelopmentStorage%3Dtrue"))).toEqual({ connectionString: "UseDevelopmentStorage=true" });
    expect(azureConfig(conn("wasb://devstoreaccount1:a2V5@127.0.0.1:10000/devstoreaccount1?scheme=http"))).toEqual({
      endpoint: "http://127.0.0.1:10000/devstoreaccount1",
      account: "devstoreaccount1",
      accountKey: "a2V5",
    });
    expect(azureConfig(conn("wasb://acct:a2V5@"))).toEqual({ endpoint: "https://acct.blob.core.windows.net", account: "acct", accountKey: "a2V5" });
    expect(azureConfig(conn("wasb://acct@?sas_token=sv%3D1%26sig%3Dx"))).toEqual({ endpoint: "https://acct.blob.core.windows.net", sasToken: "sv=1&sig=x" });
    expect(() => azureConfig(null)).toThrow(/az:\/\/ URLs need a conn/);
    expect(() => azureConfig(conn("wasb://acct@"))).toThrow(/needs login \(account name\) and password \(account key\)/);
  });

  it("gs: key JSON or file, project, emulator endpoint", () => {
    const key = encodeURIComponent(JSON.stringify({ type: "service_account", project_id: "p1", client_email: "x@y" }));
    expect(gcsConfig(conn(`gcs://?keyfile_dict=${key}`))).toEqual({
      projectId: "p1",
      credentials: { type: "service_account", project_id: "p1", client_email: "x@y" },
    });
    expect(gcsConfig(conn("google_cloud_platform://?key_path=%2Fetc%2Fkey.json&project=p2"))).toEqual({ projectId: "p2", keyFilename: "/etc/key.json" });
    expect(gcsConfig(conn("gcs://127.0.0.1:4443?scheme=http&project=test"))).toEqual({ apiEndpoint: "http://127.0.0.1:4443", projectId: "test" });
    expect(() => gcsConfig(conn("gcs://?keyfile_dict=nope"))).toThrow(/keyfile_dict is not valid JSON/);
  });

  it("a connection of the wrong type names the valid ones", () => {
    expect(() => checkConnectionType("s3", conn("postgres://h/db"))).toThrow(
      'connection "c" has type "postgres", which cannot serve s3:// URLs; valid types: aws, s3',
    );
    expect(() => checkConnectionType("file", conn("aws://h"))).toThrow(/file:\/\/ URLs take no conn/);
    expect(() => checkConnectionType("az", conn("wasb://a:k@"))).not.toThrow();
  });
});
