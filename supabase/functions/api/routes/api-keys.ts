import type { Context } from "hono";
import { ApiError } from "../../_shared/errors.ts";
import { addressNotAllowed, requirePublicAddress } from "../../_shared/outbound-address.ts";
import { checkProviderKey, keyProbe, selfHostedServices } from "../../_shared/provider-key-check.ts";
import {
  type ApiKey,
  type ApiKeyList,
  apiKeyListQuery,
  apiKeyParams,
  apiKeyScopeQuery,
  createApiKeyBody,
  type ProviderService,
  testApiKeyBody,
} from "../../_shared/schemas/api-keys.ts";
import { type TransactionSql, withServiceTransaction } from "../../_shared/user-transaction.ts";
import { checked, parseJsonBody, parseParams, parseQuery, validationFailed } from "../../_shared/validation.ts";
import { type RouteDependencies, routes } from "./context.ts";

/**
 * /api-keys — the caller's provider keys, each personal or for one of their tenants, stored
 * encrypted and only ever answered masked (the last four characters). A key is never written to
 * a response or a log line, not even in an error.
 *   POST   /api-keys                  any signed-in user: { service, api_key, tenant_id? },       201, 403 suspended, 404 tenant, 422
 *                                     replacing their key for that service and scope
 *   GET    /api-keys                  their keys, masked (?tenant_id)                              200
 *   DELETE /api-keys/:service         their key for the service (?tenant_id; else the personal)    204, 403 suspended, 404
 *   POST   /api-keys/:service/test    calls the provider with the key: { ok, status, latency_ms,   200 (ok or not), 404, 422,
 *                                     outcome, message }; body { base_url?, timeout_ms? } optional  502 unreachable, 504 timed out
 *                                     An address that is internal (loopback, private, metadata... by
 *                                     literal or by what its name resolves to) is 422
 *                                     address_not_allowed, and nothing is sent to it.
 */
export function apiKeyRoutes({ sql, signedIn, providers }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn);

  app.post("/", async (c) => {
    const body = await parseJsonBody(c, createApiKeyBody);
    const tenantId = body.tenant_id ?? null;
    const key = await c.var.asUser(async (tx) => {
      if (tenantId) await requireMembership(tx, tenantId);
      const [row] = await tx<{ key: ApiKey }[]>`
        select ${maskedKeyJson(tx)} as key
        from public.set_provider_key(${body.service}, ${body.api_key}, ${tenantId}::uuid) k`;
      return row.key;
    });
    return c.json(key, 201);
  });

  app.get("/", async (c) => {
    const query = parseQuery(c, apiKeyListQuery);
    const tenantId = query.tenant_id ?? null;
    const items = await c.var.asUser(async (tx) => {
      const rows = await tx<{ key: ApiKey }[]>`
        select ${maskedKeyJson(tx)} as key
        from public.provider_keys k
        where k.user_id = (select auth.uid()) and k.is_active
          and (${tenantId}::uuid is null or k.tenant_id = ${tenantId}::uuid)
        order by k.service, k.tenant_id nulls first`;
      return rows.map((row) => row.key);
    });
    return c.json({ items } satisfies ApiKeyList);
  });

  app.delete("/:service", async (c) => {
    const { service } = parseParams(c, apiKeyParams);
    const { tenant_id: tenantId = null } = parseQuery(c, apiKeyScopeQuery);
    const deleted = await c.var.asUser((tx) =>
      tx`
        delete from public.provider_keys k
        where k.user_id = (select auth.uid()) and k.service = ${service} and k.is_active
          and k.tenant_id is not distinct from ${tenantId}::uuid
        returning k.id`);
    if (deleted.length === 0) throw keyNotFound(service, tenantId);
    return c.body(null, 204);
  });

  app.post("/:service/test", async (c) => {
    const { service } = parseParams(c, apiKeyParams);
    const { tenant_id: tenantId = null } = parseQuery(c, apiKeyScopeQuery);
    const options = await optionalJsonBody(c);
    if (options.base_url && !selfHostedServices.includes(service)) {
      throw validationFailed("The request body", [{
        path: "base_url",
        message: `Only ${
          selfHostedServices.join(", ")
        } keys are tested at an address you give; ${service} keys go to ${service} itself.`,
      }]);
    }

    // As the caller: the key must be theirs (RLS), and for agent-api, the company's agents endpoint.
    const { keyId, base } = await c.var.asUser(async (tx) => {
      const [stored] = await tx<{ id: string; tenant_id: string | null }[]>`
        select k.id, k.tenant_id from public.provider_keys k
        where k.user_id = (select auth.uid()) and k.service = ${service} and k.is_active
          and k.tenant_id is not distinct from ${tenantId}::uuid`;
      if (!stored) throw keyNotFound(service, tenantId);
      return { keyId: stored.id, base: await probeBase(tx, c, service, stored.tenant_id, options.base_url) };
    });
    // Before the key is decrypted: an internal address gets nothing, not even a connection.
    const addressField = service === "agent-api" ? "agents_endpoint_url" : "base_url";
    if (base !== "") await requirePublicAddress(base, addressField);

    // The one service path of the API: only the service role may decrypt, and the read is audited.
    const apiKey = await withServiceTransaction(sql, async (tx) => {
      const [row] = await tx<
        { key: string }[]
      >`select private.decrypt_provider_key(${keyId}, 'connection test') as key`;
      return row.key;
    });
    const probe = keyProbe(service, base, apiKey);
    if (!probe) {
      throw new ApiError(422, "test_unavailable", `${service} keys cannot be tested on their own.`);
    }
    const outcome = await checkProviderKey(probe, apiKey, options.timeout_ms ?? providers.testTimeoutMs)
      .catch((error) => {
        throw addressNotAllowed(error, addressField);
      });
    return c.json(outcome.result, outcome.httpStatus);
  });

  /** Where the service is called: its own address, the one given, or the company's agents endpoint. */
  async function probeBase(
    tx: TransactionSql,
    c: Context,
    service: ProviderService,
    keyTenantId: string | null,
    given: string | undefined,
  ): Promise<string> {
    switch (service) {
      case "openai":
        return providers.openai;
      case "anthropic":
        return providers.anthropic;
      case "whatsapp":
        return providers.whatsappGraph;
      case "z-api":
        return "";
      case "agent-api": {
        // The key's company, or for a personal key the company named by X-Tenant-Id.
        const header = c.req.header("x-tenant-id")?.trim().toLowerCase();
        const tenantId = keyTenantId ?? (header && /^[0-9a-f-]{36}$/.test(header) ? header : null);
        if (!tenantId) {
          throw new ApiError(
            422,
            "tenant_required",
            "agent-api keys are tested against a company's agents endpoint: store the key for the company or send X-Tenant-Id.",
          );
        }
        const [tenant] = await tx<{ url: string | null }[]>`
          select t.agents_endpoint_url as url from public.tenants t where t.id = ${tenantId}::uuid`;
        if (!tenant) {
          throw new ApiError(404, "tenant_not_found", "No tenant with this id is among yours (X-Tenant-Id).");
        }
        if (!tenant.url) {
          throw new ApiError(
            422,
            "agents_endpoint_required",
            "The company has no agents endpoint yet: set agents_endpoint_url in its settings.",
          );
        }
        return tenant.url;
      }
      case "openai-compatible":
      case "suna":
      case "evolution": {
        const configured = given ??
          (service === "openai-compatible"
            ? providers.openaiCompatible
            : service === "suna"
            ? providers.suna
            : providers.evolution);
        if (!configured) {
          throw validationFailed("The request body", [{
            path: "base_url",
            message: `Say where your ${service} service runs: base_url is required.`,
          }]);
        }
        return configured;
      }
    }
  }

  return app;
}

// The masked columns only: authenticated cannot select encrypted_key, and no response carries it.
function maskedKeyJson(tx: TransactionSql) {
  return tx`jsonb_build_object(
    'id', k.id, 'service', k.service, 'tenant_id', k.tenant_id, 'key_last_four', k.key_last_four,
    'is_active', k.is_active, 'last_used_at', k.last_used_at, 'created_at', k.created_at, 'updated_at', k.updated_at)`;
}

async function requireMembership(tx: TransactionSql, tenantId: string): Promise<void> {
  const [member] = await tx`
    select 1 from public.memberships m where m.tenant_id = ${tenantId} and m.user_id = (select auth.uid())`;
  if (!member) throw new ApiError(404, "tenant_not_found", "No tenant with this id is among yours (tenant_id).");
}

/** The test's options: a JSON body when one is sent, none otherwise. */
async function optionalJsonBody(c: Context) {
  const length = c.req.header("content-length");
  const hasBody = c.req.header("content-type") !== undefined || (length !== undefined && length !== "0") ||
    c.req.header("transfer-encoding") !== undefined;
  return hasBody ? await parseJsonBody(c, testApiKeyBody) : checked(testApiKeyBody, {});
}

function keyNotFound(service: string, tenantId: string | null): ApiError {
  return new ApiError(
    404,
    "not_found",
    tenantId ? `You have no ${service} key for this company.` : `You have no personal ${service} key.`,
  );
}
