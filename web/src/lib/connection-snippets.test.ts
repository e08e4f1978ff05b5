import { describe, expect, it } from "vitest";
import { analystConnection, mcpClientConfig, mcpCommandLine } from "./connection-snippets";
import { mcpTokenExpiry, mcpTokenState } from "./mcp-tokens";

describe("an analyst's connection", () => {
  const login = { role_name: "renum_analyst_0123456789ab", password: "a-b_c+d/e=" };

  it("names the pooler user with the project ref and escapes the password", () => {
    const connection = analystConnection(login, { host: "aws-0-sa-east-1.pooler.supabase.com", port: 5432, database: "postgres", userSuffix: ".abcdefghijklmnop" });
    expect(connection.user).toBe("renum_analyst_0123456789ab.abcdefghijklmnop");
    expect(connection.url).toBe("postgresql://renum_analyst_0123456789ab.abcdefghijklmnop:a-b_c%2Bd%2Fe%3D@aws-0-sa-east-1.pooler.supabase.com:5432/postgres");
    expect(new URL(connection.url).password).toBe("a-b_c%2Bd%2Fe%3D");
    expect(decodeURIComponent(new URL(connection.url).password)).toBe(login.password);
    expect(connection.psql).toBe(`psql "${connection.url}" -c "select view_name, refreshed_at from freshness;"`);
  });

  it("shows placeholders when the server knows no database", () => {
    const connection = analystConnection(login, null);
    expect(connection.url).toBe("postgresql://renum_analyst_0123456789ab:a-b_c%2Bd%2Fe%3D@<host>:<port>/postgres");
  });
});

describe("an MCP client's configuration", () => {
  it("carries the endpoint and the token as a bearer header", () => {
    expect(JSON.parse(mcpClientConfig("https://x.supabase.co/functions/v1/mcp", "rnm_mcp_ff"))).toEqual({
      mcpServers: { renum: { type: "http", url: "https://x.supabase.co/functions/v1/mcp", headers: { Authorization: "Bearer rnm_mcp_ff" } } },
    });
    expect(mcpCommandLine("https://x/mcp", "rnm_mcp_ff")).toBe('claude mcp add --transport http renum https://x/mcp --header "Authorization: Bearer rnm_mcp_ff"');
  });
});

describe("MCP token lifetimes and states", () => {
  const now = new Date("2026-12-05T12:00:00Z");

  it("expires after the days chosen, or never", () => {
    expect(mcpTokenExpiry("30", now)).toBe("2027-01-04T12:00:00.000Z");
    expect(mcpTokenExpiry("never", now)).toBeUndefined();
  });

  it("is revoked before expired, and active otherwise", () => {
    expect(mcpTokenState({ revoked_at: "2026-12-01T00:00:00Z", expires_at: "2026-11-01T00:00:00Z" }, now)).toBe("revoked");
    expect(mcpTokenState({ revoked_at: null, expires_at: "2026-12-05T12:00:00Z" }, now)).toBe("expired");
    expect(mcpTokenState({ revoked_at: null, expires_at: "2026-12-05T12:00:01Z" }, now)).toBe("active");
    expect(mcpTokenState({ revoked_at: null, expires_at: null }, now)).toBe("active");
  });
});
