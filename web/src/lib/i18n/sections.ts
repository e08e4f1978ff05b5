// The words of a part of the app that only its pages use (issue #18): each section's catalogue is
// downloaded by its route's layout (a universal +layout.ts awaiting loadSections, on the server and
// in the browser, so the server renders them and hydration finds the same words), not by every page.
// What other pages need of a section (the settings menu's names, field errors any form may meet)
// stays in the root catalogue (messages/pt-BR.ts). messages.test.ts checks that a section's own keys
// are used only by files its layouts cover.
import { addMessages, type Catalogue } from "./translate";
import type { Locale } from "./locales";

type Loader = () => Promise<Catalogue>;

const sectionLoaders = {
  teams: {
    "pt-BR": async () => ({ teams: (await import("./messages/teams.pt-BR")).teamsPtBR }),
    en: async () => ({ teams: (await import("./messages/teams.en")).teamsEn }),
  },
  knowledge: {
    "pt-BR": async () => ({ knowledge: (await import("./messages/knowledge.pt-BR")).knowledgePtBR }),
    en: async () => ({ knowledge: (await import("./messages/knowledge.en")).knowledgeEn }),
  },
  projects: {
    "pt-BR": async () => ({ projects: (await import("./messages/projects.pt-BR")).projectsPtBR }),
    en: async () => ({ projects: (await import("./messages/projects.en")).projectsEn }),
  },
  messaging: {
    "pt-BR": async () => (await import("./messages/messaging.pt-BR")).messagingPtBR,
    en: async () => (await import("./messages/messaging.en")).messagingEn,
  },
  notifications: {
    "pt-BR": async () => (await import("./messages/notifications.pt-BR")).notificationsPtBR,
    en: async () => (await import("./messages/notifications.en")).notificationsEn,
  },
  analytics: {
    "pt-BR": async () => (await import("./messages/analytics.pt-BR")).analyticsPtBR,
    en: async () => (await import("./messages/analytics.en")).analyticsEn,
  },
  credentials: {
    "pt-BR": async () => (await import("./messages/credentials.pt-BR")).credentialsPtBR,
    en: async () => (await import("./messages/credentials.en")).credentialsEn,
  },
  audit: {
    "pt-BR": async () => ({ audit: (await import("./messages/audit.pt-BR")).auditPtBR }),
    en: async () => ({ audit: (await import("./messages/audit.en")).auditEn }),
  },
  admin: {
    "pt-BR": async () => {
      const [admin, commands] = await Promise.all([import("./messages/admin.pt-BR"), import("./messages/admin-commands.pt-BR")]);
      return { admin: admin.adminPtBR, adminCommands: commands.adminCommandsPtBR };
    },
    en: async () => {
      const [admin, commands] = await Promise.all([import("./messages/admin.en"), import("./messages/admin-commands.en")]);
      return { admin: admin.adminEn, adminCommands: commands.adminCommandsEn };
    },
  },
} satisfies Record<string, Record<Locale, Loader>>;

export type Section = keyof typeof sectionLoaders;
export const sections = Object.keys(sectionLoaders) as Section[];

/** A section's messages in one language, as its layout adds them. */
export function sectionMessages(section: Section, language: Locale): Promise<Catalogue> {
  return sectionLoaders[section][language]();
}

const loading = new Map<string, Promise<void>>();

/** Makes the sections' messages in `language` available; at once when they already are. */
export function loadSections(wanted: readonly Section[], language: Locale): Promise<void> {
  return Promise.all(
    wanted.map((section) => {
      const key = `${section} ${language}`;
      let loaded = loading.get(key);
      if (!loaded) {
        loaded = sectionMessages(section, language).then((messages) => addMessages(language, messages));
        // A failed download (offline for a moment) is tried again by the next page that needs it.
        loaded.catch(() => loading.delete(key));
        loading.set(key, loaded);
      }
      return loaded;
    }),
  ).then(() => undefined);
}
