// The account's avatar, the audit log's lines and the suspended-company notice, as a person reads them.
import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it } from "vitest";
import type { AuditEntry } from "$schemas/audit-log.ts";
import type { Tenant } from "$schemas/tenants.ts";
import { useLocale } from "$lib/i18n";
import AuditLogList from "./audit/AuditLogList.svelte";
import TenantStatusBanner from "./shell/TenantStatusBanner.svelte";
import UserAvatar from "./shell/UserAvatar.svelte";

beforeEach(() => useLocale("pt-BR"));

describe("UserAvatar", () => {
  it("shows the photo when there is one", () => {
    const { container } = render(UserAvatar, { name: "Ana Souza", email: "ana@example.test", avatarUrl: "https://example.test/ana.png" });
    expect(container.querySelector("img")?.getAttribute("src")).toBe("https://example.test/ana.png");
    expect(screen.queryByText("AS")).toBeNull();
  });

  it("shows the initials without a photo, and when the photo does not load", async () => {
    const { container, unmount } = render(UserAvatar, { name: "Ana Souza", email: "ana@example.test", avatarUrl: null });
    expect(container.querySelector("img")).toBeNull();
    expect(screen.getByText("AS")).toBeTruthy();
    unmount();
    const broken = render(UserAvatar, { name: "Ana Souza", email: "ana@example.test", avatarUrl: "https://example.test/gone.png" });
    await fireEvent.error(broken.container.querySelector("img")!);
    expect(broken.container.querySelector("img")).toBeNull();
    expect(screen.getByText("AS")).toBeTruthy();
  });
});

const ana = "11111111-1111-4111-8111-111111111111";
const entries: AuditEntry[] = [
  {
    id: 2,
    tenant_id: "33333333-3333-4333-8333-333333333333",
    actor_id: ana,
    actor_role: "authenticated",
    action: "update",
    table_name: "agents",
    record_id: "a1",
    before: { name: "Atendente", temperature: 0.2, updated_at: "x" },
    after: { name: "Atendente", temperature: 0.7, updated_at: "y" },
    created_at: "2026-03-10T14:30:00Z",
  },
  {
    id: 1,
    tenant_id: "33333333-3333-4333-8333-333333333333",
    actor_id: null,
    actor_role: "platform_admin",
    action: "read",
    table_name: "tenants",
    record_id: "t1",
    before: null,
    after: null,
    created_at: "2026-03-09T09:05:00Z",
  },
];
const people = [{ user_id: ana, full_name: "Ana Souza", email: "ana@example.test" }];

describe("AuditLogList", () => {
  it("says who did what to which thing and when, in Portuguese", () => {
    render(AuditLogList, { entries, people, everyoneListed: true });
    const rows = screen.getAllByRole("row").slice(1).map((row) => row.textContent?.replace(/\s+/g, " ").trim());
    expect(rows[0]).toContain("Ana Souza");
    expect(rows[0]).toContain("Alterou o agente: Atendente");
    expect(rows[0]).toContain("Campos alterados: temperature");
    expect(rows[0]).toContain("10 de mar. de 2026");
    expect(rows[1]).toContain("Suporte da Renum");
    expect(rows[1]).toContain("Consultou os dados da empresa");
  });

  it("says it in English, with English dates", () => {
    useLocale("en");
    render(AuditLogList, { entries, people, everyoneListed: true });
    const text = screen.getByTestId("audit-log").textContent?.replace(/\s+/g, " ") ?? "";
    expect(text).toContain("Changed the agent: Atendente");
    expect(text).toContain("Fields changed: temperature");
    expect(text).toContain("Renum support");
    expect(text).toContain("Mar 10, 2026");
  });
});

describe("TenantStatusBanner", () => {
  const tenant = { name: "Padaria Pão Quente", status: "suspended" } as Tenant;

  it("tells the people of a suspended company that it is read-only", () => {
    render(TenantStatusBanner, { tenant });
    expect(screen.getByRole("status").textContent).toContain("Padaria Pão Quente está suspensa.");
    expect(screen.getByRole("status").textContent).toContain("nada pode ser criado, alterado ou executado");
  });

  it("says nothing for an active company", () => {
    render(TenantStatusBanner, { tenant: { ...tenant, status: "active" } });
    expect(screen.queryByRole("status")).toBeNull();
  });
});
