// The stack's mail catcher, in the spirit of the Inbucket/Mailpit of `supabase start`: nothing is
// ever delivered; each email a stand-in "sends" is written as one JSON file under
// `.stack/<stack>/mail/`, and the gateway shows them read-only at `/_stack/inbox`.
import { randomUUID } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StackInstance } from "../instances.ts";

export interface MailMessage {
  id: string;
  /** ISO time it was "sent". */
  sent_at: string;
  from: string;
  to: string;
  subject: string;
  html: string;
}

export interface Mailbox {
  send(message: Omit<MailMessage, "id" | "sent_at">): MailMessage;
  /** Newest first; only those sent to `to` (case-insensitive) when given. */
  list(to?: string): MailMessage[];
  read(id: string): MailMessage | null;
  /** Forgets every message: a fresh stack starts with an empty inbox. */
  clear(): void;
}

// The Supabase CLI's default sender for the local stack's emails.
export const localSender = "Supabase Auth <admin@email.com>";

const idFormat = /^[0-9]{13}-[0-9a-f-]{36}$/;

export function mailbox(instance: StackInstance): Mailbox {
  const directory = join(instance.stateDir, "mail");
  const all = (): MailMessage[] => {
    let files: string[];
    try {
      files = readdirSync(directory).filter((file) => file.endsWith(".json"));
    } catch {
      return [];
    }
    // File names start with the time in milliseconds, so name order is sending order.
    return files
      .sort()
      .reverse()
      .map((file) => JSON.parse(readFileSync(join(directory, file), "utf8")) as MailMessage);
  };
  return {
    send(message) {
      mkdirSync(directory, { recursive: true });
      const now = Date.now();
      const stored: MailMessage = { id: `${now}-${randomUUID()}`, sent_at: new Date(now).toISOString(), ...message };
      writeFileSync(join(directory, `${stored.id}.json`), JSON.stringify(stored, null, 2));
      return stored;
    },
    list(to) {
      const wanted = to?.toLowerCase();
      return all().filter((message) => wanted === undefined || message.to.toLowerCase() === wanted);
    },
    read(id) {
      if (!idFormat.test(id)) return null;
      try {
        return JSON.parse(readFileSync(join(directory, `${id}.json`), "utf8")) as MailMessage;
      } catch {
        return null;
      }
    },
    clear() {
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
