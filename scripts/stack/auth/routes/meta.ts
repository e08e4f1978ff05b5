// GET /health and GET /settings (GoTrue internal/api/api.go, settings.go).
import type { Hono } from "hono";
import { authConfig } from "../config.ts";
import type { AuthEnv } from "../route-context.ts";

const externalProviders = [
  "apple", "azure", "bitbucket", "discord", "facebook", "figma", "fly", "github", "gitlab", "google", "keycloak",
  "kakao", "linkedin", "linkedin_oidc", "nextcloud", "notion", "spotify", "slack", "slack_oidc", "workos", "twitch",
  "twitter", "zoom",
];

export function metaRoutes(app: Hono<AuthEnv>): void {
  app.get("/health", (c) =>
    c.json({ version: "renum-local", name: "GoTrue", description: "GoTrue is a user registration and authentication API" }),
  );

  app.get("/settings", (c) => {
    const config = authConfig();
    return c.json({
      external: {
        anonymous_users: false,
        ...Object.fromEntries(externalProviders.map((provider) => [provider, false])),
        email: config.email.enabled,
        phone: config.phone.enabled,
      },
      disable_signup: !config.enableSignup,
      mailer_autoconfirm: config.email.autoconfirm,
      phone_autoconfirm: config.phone.autoconfirm,
      sms_provider: "",
      saml_enabled: false,
    });
  });
}
