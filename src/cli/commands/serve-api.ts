import type { FastifyInstance } from "fastify";
import { ensureAdmin } from "../../api/auth/index.js";
import { buildApiServer } from "../../api/server.js";
import type { ApiDeps } from "../../api/server.js";
import type { FullStore } from "../../store/index.js";
import { recordCliAudit } from "../cli-audit.js";
import { listeningUrls } from "./listen-address.js";
import { API_PORT_HINT, portError } from "./port-free.js";

/**
 * Creates the first admin when there is none (printing its password once), builds and starts the
 * server (a taken port: `PortInUseError`, the server closed). `url` lists the addresses it really listens on (`localhost` may mean 127.0.0.1 and ::1).
 */
export async function serveApi(store: FullStore, deps: ApiDeps, host: string, port: number): Promise<{ app: FastifyInstance; url: string }> {
  const admin = await ensureAdmin(store, Date.now());
  if (admin) {
    await recordCliAudit(store, "user.create", {
      command: "first start",
      target: { type: "user", id: admin.username },
      after: { role: "admin", disabled: false },
    });
    process.stdout.write(
      `Created user "${admin.username}" with password: ${admin.password}\n` + `  (shown once; change it with \`baton users set-password ${admin.username}\`)\n`,
    );
  }
  const app = await buildApiServer(deps);
  try {
    await app.listen({ host, port });
  } catch (error) {
    await app.close();
    throw portError(error, host, port, API_PORT_HINT);
  }
  return { app, url: listeningUrls(app).join(", ") };
}
