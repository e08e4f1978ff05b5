import type { Context } from "hono";
import { ApiError } from "../../_shared/errors.ts";
import { addressNotAllowed, requirePublicAddress } from "../../_shared/outbound-address.ts";
import { checkProviderKey, keyProbe } from "../../_shared/provider-key-check.ts";
import {
  type ApiKey,
  apiKeyIdParams,
  type ApiKeyList,
  apiKeyListQuery,
  apiKeyParams,
  apiKeyScopeQuery,
  apiKeySharingBody,
  type CompanyApiKey,
  type CompanyApiKeyList,
  companyApiKeysQuery,
  createApiKeyBody,
  endpointBoundServices,
  type ProviderService,
  testApiKeyBody,
} from "../../_shared/schemas/api-keys.ts";
import { type TransactionSql, withServiceTransaction } from "../../_shared/user-transaction.ts";
import { checked, parseJsonBody, parseParams, parseQuery, validationFailed } from "../../_shared/validation.ts";
import { type RouteDependencies, routes } from "./context.ts";

/**
 * /api-keys — the caller's provider keys, each personal or for one of their tenants, stored
 * encrypted and only ever answered masked (the last four characters). A key is never written to
 * a response or a log line, not even in an error. Keys of the endpoint-bound services
 * (openai-compatible, suna, agent-api, evolution) are stored with the address they may be sent to.
 *   POST   /api-keys                  any signed-in user: { service, api_key, tenant_id?,           201, 403 suspended, 404 tenant, 422
 *                                     endpoint_url? }, replacing their key for that service and scope
 *   GET    /api-keys                  their keys, masked (?tenant_id)                              200
 *   GET    /api-keys/company          owners and admins: every key stored for the company           200, 403, 404 tenant, 422
 *                                     (?tenant_id), masked, with whose it is
 *   PUT    /api-keys/:id/sharing      owners and admins of the key's company: { shared }, whether   200, 403 provider_key_share_forbidden,
 *                                     the company's runs may use the key (not only its owner's)      404, 422 personal key
 *   DELETE /api-keys/:service         their key for the service (?tenant_id; else the personal)    204, 403 suspended, 404
 *   POST   /api-keys/:service/test    calls the provider with the key, at the key's own address     200 (ok or not), 404, 422,
 *                                     only: { ok, status, latency_ms, outcome, message }; body        502 unreachable, 504 timed out
 *                                     { base_url?, timeout_ms? } optional (base_url: of the key's
 *                                     origin). An internal address (loopback, private, metadata...
 *                                     by literal or by what its name resolves to) is 422
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
        from public.set_provider_key(${body.service}, ${body.api_key}, ${tenantId}::uuid, ${body.endpoint_url ?? null}) k`;
      return row.key;
    });
    return c.json(key, 201);
  });

  app.get("/company", async (c) => {
    const { tenant_id: tenantId } = parseQuery(c, companyApiKeysQuery);
    const items = await c.var.asUser(async (tx) => {
      const [membership] = await tx<{ may_share_keys: boolean }[]>`
        select 'share_keys' = any (public.my_capabilities(m.tenant_id)) as may_share_keys
        from public.memberships m where m.tenant_id = ${tenantId} and m.user_id = (select auth.uid())`;
      if (!membership) throw new ApiError(404, "tenant_not_found", "No tenant with this id is among yours (tenant_id).");
      if (!membership.may_share_keys) {
        throw new ApiError(403, "forbidden", "Only owners and admins see the company's keys.");
      }
      // RLS shows owners and admins every key stored for their company (masked columns only).
      const rows = await tx<{ key: CompanyApiKey }[]>`
        select ${maskedKeyJson(tx)} || jsonb_build_object('owner', jsonb_build_object('id', k.user_id, 'email', p.email, 'full_name', p.full_name)) as key
        from public.provider_keys k left join public.profiles p on p.id = k.user_id
        where k.tenant_id = ${tenantId} and k.is_active
        order by k.service, p.email, k.id`;
      return rows.map((row) => row.key);
    });
    return c.json({ items } satisfies CompanyApiKeyList);
  });

  app.put("/:id/sharing", async (c) => {
    const { id } = parseParams(c, apiKeyIdParams);
    const { shared } = await parseJsonBody(c, apiKeySharingBody);
    const key = await c.var.asUser(async (tx) => {
      const [row] = await tx<{ key: ApiKey }[]>`
        select ${maskedKeyJson(tx)} as key from public.set_provider_key_sharing(${id}, ${shared}) k`;
      return row.key;
    });
    return c.json(key);
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
    if (options.base_url && !endpointBoundServices.includes(service)) {
      throw validationFailed("The request body", [{
        path: "base_url",
        message: `Only ${
          endpointBoundServices.join(", ")
        } keys are tested at an address of their own; ${service} keys go to ${service} itself.`,
      }]);
    }

    // As the caller: the key must be theirs (RLS); an endpoint-bound key goes to its own address only.
    const target = await c.var.asUser(async (tx) => {
      const [stored] = await tx<{ id: string; endpoint_url: string | null; endpoint_origin: string | null }[]>`
        select k.id, k.endpoint_url, k.endpoint_origin from public.provider_keys k
        where k.user_id = (select auth.uid()) and k.service = ${service} and k.is_active
          and k.tenant_id is not distinct from ${tenantId}::uuid`;
      if (!stored) throw keyNotFound(service, tenantId);
      return { id: stored.id, base: probeBase(service, stored, options.base_url) };
    });
    // Before the key is decrypted: an internal address gets nothing, not even a connection.
    const addressField = service === "agent-api" ? "agents_endpoint_url" : "base_url";
    if (target.base !== "") await requirePublicAddress(target.base, addressField);

    // The one service path of the API: only the service role may decrypt, and the read is audited
    // in the caller's name.
    const apiKey = await withServiceTransaction(sql, async (tx) => {
      const [row] = await tx<
        { key: string }[]
      >`select private.decrypt_provider_key(${target.id}, 'connection test', ${c.var.claims.sub}::uuid) as key`;
      return row.key;
    });
    const base = target.base;
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

  /**
   * Where the key is tested: a first-party provider's own address, or the address an endpoint-bound
   * key was stored for (a base_url given must have the same origin, e.g. another path of it).
   */
  function probeBase(
    service: ProviderService,
    stored: { endpoint_url: string | null; endpoint_origin: string | null },
    given: string | undefined,
  ): string {
    switch (service) {
      case "openai":
        return providers.openai;
      case "anthropic":
        return providers.anthropic;
      case "whatsapp":
        return providers.whatsappGraph;
      case "z-api":
        return "";
      case "openai-compatible":
      case "suna":
      case "agent-api":
      case "evolution": {
        if (!stored.endpoint_url || !stored.endpoint_origin) {
          throw new ApiError(422, "endpoint_required", `Store the ${service} key again with the address it is for (endpoint_url).`);
        }
        if (given && originOf(given) !== stored.endpoint_origin) {
          throw validationFailed("The request body", [{
            path: "base_url",
            message: `This ${service} key was stored for ${stored.endpoint_origin} and is only sent there.`,
          }]);
        }
        return given ?? stored.endpoint_url;
      }
    }
  }

  return app;
}

// The masked columns only: authenticated cannot select encrypted_key, and no response carries it.
function maskedKeyJson(tx: TransactionSql) {
  return tx`jsonb_build_object(
    'id', k.id, 'service', k.service, 'tenant_id', k.tenant_id, 'key_last_four', k.key_last_four,
    'endpoint_url', k.endpoint_url, 'is_shared', k.is_shared,
    'is_active', k.is_active, 'last_used_at', k.last_used_at, 'created_at', k.created_at, 'updated_at', k.updated_at)`;
}

/** scheme://host[:port] as the URL parser writes it (the database's private.url_origin agrees), or null. */
function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.origin : null;
  } catch {
    return null;
  }
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
