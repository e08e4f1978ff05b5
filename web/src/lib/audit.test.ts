// The audit log in words: who, what to which thing, and what changed, from the entries the API gives.
import { describe, expect, it } from "vitest";
import type { AuditEntry } from "$schemas/audit-log.ts";
import { auditActor, auditSentence, auditSubject, changedFields, personChoice, type KnownPerson } from "./audit";

const ana = "11111111-1111-4111-8111-111111111111";
const bruno = "22222222-2222-4222-8222-222222222222";
const tenantId = "33333333-3333-4333-8333-333333333333";
const people = new Map<string, KnownPerson>([
  [ana, { user_id: ana, full_name: "Ana Souza", email: "ana@example.test" }],
  [bruno, { user_id: bruno, full_name: null, email: "bruno@example.test" }],
]);

function entry(changes: Partial<AuditEntry>): AuditEntry {
  return {
    id: 1,
    tenant_id: tenantId,
    actor_id: ana,
    actor_role: "authenticated",
    action: "insert",
    table_name: "agents",
    record_id: "r1",
    before: null,
    after: null,
    created_at: "2026-03-10T14:30:00Z",
    ...changes,
  };
}

describe("who did it", () => {
  it("names a member by their name, else their email", () => {
    expect(auditActor(entry({}), people)).toEqual({ kind: "person", name: "Ana Souza" });
    expect(auditActor(entry({ actor_id: bruno }), people)).toEqual({ kind: "person", name: "bruno@example.test" });
  });

  it("calls a platform admin Renum support and the service role the system", () => {
    expect(auditActor(entry({ actor_role: "platform_admin", actor_id: bruno }), people)).toEqual({ kind: "support" });
    expect(auditActor(entry({ actor_role: "service_role", actor_id: ana, action: "decrypt" }), people)).toEqual({ kind: "system" });
    expect(auditActor(entry({ actor_role: "postgres", actor_id: null }), people)).toEqual({ kind: "system" });
  });

  it("says someone left when the whole company is listed, and only shows an id when it is not", () => {
    const gone = entry({ actor_id: "44444444-4444-4444-8444-444444444444" });
    expect(auditActor(gone, people)).toEqual({ kind: "former" });
    expect(auditActor(gone, people, false)).toEqual({ kind: "unlisted", id: "44444444-4444-4444-8444-444444444444" });
  });
});

describe("what they did", () => {
  it("says the action on the kind of thing, and names the thing", () => {
    const created = entry({ after: { name: "Atendente", status: "draft" } });
    expect(auditSentence(created)).toEqual({ key: "insert", values: { table: "agents" } });
    expect(auditSubject(created, people)).toBe("Atendente");
    const unknown = entry({ table_name: "webhooks", action: "delete", before: { id: 1 } });
    expect(auditSentence(unknown)).toEqual({ key: "delete", values: { table: "other" } });
    expect(auditSubject(unknown, people)).toBeNull();
  });

  it("tells joining, being added, a role change and leaving apart, and names the member", () => {
    const joined = entry({ table_name: "memberships", after: { user_id: ana, role: "owner" } });
    expect(auditSentence(joined)).toEqual({ key: "memberJoined", values: { role: "owner" } });
    const added = entry({ table_name: "memberships", after: { user_id: bruno, role: "member" } });
    expect(auditSentence(added)).toEqual({ key: "memberAdded", values: { role: "member" } });
    expect(auditSubject(added, people)).toBe("bruno@example.test");
    const promoted = entry({ table_name: "memberships", action: "update", before: { user_id: bruno, role: "member" }, after: { user_id: bruno, role: "admin" } });
    expect(auditSentence(promoted)).toEqual({ key: "memberRoleChanged", values: { role: "admin" } });
    const left = entry({ table_name: "memberships", action: "delete", actor_id: bruno, before: { user_id: bruno, role: "member" } });
    expect(auditSentence(left).key).toBe("memberLeft");
    const removed = entry({ table_name: "memberships", action: "delete", before: { user_id: bruno, role: "member" } });
    expect(auditSentence(removed).key).toBe("memberRemoved");
  });

  it("tells invitations sent, accepted and cancelled, and a company suspended", () => {
    expect(auditSentence(entry({ table_name: "invitations", after: { email: "c@example.test", role: "analyst" } }))).toEqual({ key: "invited", values: { role: "analyst" } });
    const accepted = entry({ table_name: "invitations", action: "update", before: { accepted_at: null }, after: { accepted_at: "2026-03-10T15:00:00Z" } });
    expect(auditSentence(accepted).key).toBe("invitationAccepted");
    expect(auditSentence(entry({ table_name: "invitations", action: "delete", before: { email: "c@example.test" } })).key).toBe("invitationCancelled");
    const suspended = entry({ table_name: "tenants", action: "update", actor_role: "platform_admin", before: { name: "Acme", status: "active" }, after: { name: "Acme", status: "suspended" } });
    expect(auditSentence(suspended)).toEqual({ key: "statusChanged", values: { status: "suspended" } });
    const renamed = entry({ table_name: "tenants", action: "update", before: { name: "Acme", status: "active" }, after: { name: "Acme Ltda", status: "active" } });
    expect(auditSentence(renamed)).toEqual({ key: "update", values: { table: "tenants" } });
  });
});

describe("what changed", () => {
  it("lists the columns an update changed, leaving out the bookkeeping", () => {
    const before = { name: "A", status: "draft", tools: ["web"], updated_at: "1" };
    const after = { name: "B", status: "draft", tools: ["web", "sql"], updated_at: "2" };
    expect(changedFields(entry({ action: "update", before, after }))).toEqual(["name", "tools"]);
  });

  it("lists nothing for what was created or deleted", () => {
    expect(changedFields(entry({ after: { name: "A" } }))).toEqual([]);
    expect(changedFields(entry({ action: "delete", before: { name: "A" } }))).toEqual([]);
  });
});

describe("the audit filter's people", () => {
  it("offers each person by name and e-mail, and by e-mail alone when they have no name", () => {
    expect(personChoice(people.get(ana)!)).toBe("Ana Souza (ana@example.test)");
    expect(personChoice(people.get(bruno)!)).toBe("bruno@example.test");
    expect(personChoice({ user_id: ana, full_name: "  ", email: null })).toBe(ana);
  });
});
