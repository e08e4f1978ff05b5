// The audit log in words: who did it, what they did to which thing, and what changed. Pure
// functions of an entry, so the page and its tests read entries the same way.
import type { AuditEntry } from "$schemas/audit-log.ts";

/** The tables whose changes the database writes to the audit log (triggers and audited functions). */
export const auditedTables = [
  "tenants",
  "memberships",
  "invitations",
  "agents",
  "agent_shares",
  "teams",
  "team_agents",
  "provider_keys",
] as const;
export type AuditedTable = (typeof auditedTables)[number];

export function isAuditedTable(name: string): name is AuditedTable {
  return (auditedTables as readonly string[]).includes(name);
}

/** A person the page can name: the company's members, from GET /members. */
export interface KnownPerson {
  user_id: string;
  full_name: string | null;
  email: string | null;
}

/**
 * A person as the audit filter offers them: name and e-mail, since two people may share a name (or
 * one has none yet); the e-mail alone when there is no name.
 */
export function personChoice(person: KnownPerson): string {
  const name = person.full_name?.trim();
  if (name && person.email) return `${name} (${person.email})`;
  return name || person.email || person.user_id;
}

/** Who did it, as a message key (with values) or a person's name. */
export type Actor =
  | { kind: "person"; name: string }
  | { kind: "support" }
  | { kind: "system" }
  | { kind: "former" }
  | { kind: "unlisted"; id: string };

/** `everyone`: `people` holds every member (a company of more than a page of members may not). */
export function auditActor(entry: AuditEntry, people: ReadonlyMap<string, KnownPerson>, everyone = true): Actor {
  // Renum's support acting on the company through the admin panel, member or not of it.
  if (entry.actor_role === "platform_admin") return { kind: "support" };
  // The platform's own work (the engine using a key, scheduled jobs) or the database itself; a
  // key's decrypt names the key's owner as actor, but the platform did it.
  if (!entry.actor_id || entry.actor_role === "service_role") return { kind: "system" };
  const person = people.get(entry.actor_id);
  if (!person) return everyone ? { kind: "former" } : { kind: "unlisted", id: entry.actor_id };
  return { kind: "person", name: person.full_name?.trim() || person.email || entry.actor_id };
}

/** What happened, as the key of a sentence under `audit.sentences` and its values. */
export interface AuditSentence {
  key: string;
  values: Record<string, string>;
}

function row(entry: AuditEntry): Record<string, unknown> {
  return entry.after ?? entry.before ?? {};
}

function textOf(value: unknown): string | null {
  return typeof value === "string" && value.trim() ? value : null;
}

/**
 * The sentence for an entry: the special ones where a generic "changed the X" says too little
 * (people joining, leaving or changing role; invitations; a company suspended or reactivated),
 * else "<action> <thing>" with the thing named by its table.
 */
export function auditSentence(entry: AuditEntry): AuditSentence {
  const before = entry.before ?? {};
  const after = entry.after ?? {};
  if (entry.table_name === "memberships") {
    // Creating a company or accepting an invitation adds oneself; leaving removes oneself.
    const self = entry.actor_id !== null && (after.user_id ?? before.user_id) === entry.actor_id;
    if (entry.action === "insert") return { key: self ? "memberJoined" : "memberAdded", values: { role: String(after.role ?? "") } };
    if (entry.action === "update" && before.role !== after.role) return { key: "memberRoleChanged", values: { role: String(after.role ?? "") } };
    if (entry.action === "delete") return { key: self ? "memberLeft" : "memberRemoved", values: {} };
  }
  if (entry.table_name === "invitations") {
    if (entry.action === "insert") return { key: "invited", values: { role: String(after.role ?? "") } };
    if (entry.action === "update" && !before.accepted_at && after.accepted_at) return { key: "invitationAccepted", values: {} };
    if (entry.action === "delete") return { key: "invitationCancelled", values: {} };
  }
  if (entry.table_name === "tenants" && entry.action === "update" && before.status !== after.status && typeof after.status === "string") {
    return { key: "statusChanged", values: { status: after.status } };
  }
  return { key: entry.action, values: { table: isAuditedTable(entry.table_name) ? entry.table_name : "other" } };
}

/**
 * The thing's own name, when the row has one a person recognises: a name, an email, or for a
 * membership the member's name.
 */
export function auditSubject(entry: AuditEntry, people: ReadonlyMap<string, KnownPerson>): string | null {
  const data = row(entry);
  if (entry.table_name === "memberships" && typeof data.user_id === "string") {
    const person = people.get(data.user_id);
    return person ? person.full_name?.trim() || person.email : null;
  }
  return textOf(data.name) ?? textOf(data.email) ?? textOf(data.service);
}

// Bookkeeping columns that change with every write and say nothing to a person.
const bookkeeping = new Set(["updated_at", "created_at"]);

/** The columns an update changed, in the row's order; none for other actions. */
export function changedFields(entry: AuditEntry): string[] {
  if (entry.action !== "update" || !entry.before || !entry.after) return [];
  const { before, after } = entry;
  return Object.keys(after).filter((key) => !bookkeeping.has(key) && JSON.stringify(before[key]) !== JSON.stringify(after[key]));
}
