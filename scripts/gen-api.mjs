// `npm run gen:api`: docs/openapi.json from the route schemas, then the UI's types from it.
import { writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { renderApiTypes } from "./api-types.mjs";

execFileSync(process.execPath, ["dist/src/api/write-openapi.js"], { stdio: "inherit" });
writeFileSync("ui/src/api/schema.d.ts", await renderApiTypes("docs/openapi.json"));
console.log("wrote docs/openapi.json and ui/src/api/schema.d.ts");
