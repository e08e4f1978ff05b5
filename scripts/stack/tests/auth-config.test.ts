// The Auth stand-in's pieces that need no stack: how it reads supabase/config.toml, judges
// passwords, counts failed sign-ins, and writes times and durations the way Go does.
import { describe, expect, it } from "vitest";
import { readAuthConfig } from "../auth/config.ts";
import { goTime } from "../auth/database.ts";
import { parseGoDuration } from "../auth/go-duration.ts";
import { passwordWeakness } from "../auth/passwords.ts";
import { rateLimitKey, SignInLimiter } from "../auth/sign-in-limiter.ts";

describe("reading [auth] from supabase/config.toml", () => {
  it("falls back to the Supabase CLI's defaults", () => {
    const config = readAuthConfig('project_id = "x"\n');
    expect(config).toMatchObject({
      jwtExpiry: 3600,
      jwtIssuer: null,
      enableSignup: true,
      minimumPasswordLength: 6,
      requiredCharacterSets: [],
      refreshTokenRotation: true,
      refreshTokenReuseInterval: 10,
      email: { enabled: true, autoconfirm: true, securePasswordChange: false },
      phone: { enabled: false },
      sessionTimebox: null,
    });
  });

  it("reads the settings it honours", () => {
    const config = readAuthConfig(`
      [auth]
      jwt_expiry = 900
      enable_signup = false
      minimum_password_length = 10
      password_requirements = "lower_upper_letters_digits_symbols"
      refresh_token_reuse_interval = 3
      [auth.email]
      enable_confirmations = true
      [auth.sessions]
      timebox = "24h"
      inactivity_timeout = "30m"
    `);
    expect(config).toMatchObject({
      jwtExpiry: 900,
      enableSignup: false,
      minimumPasswordLength: 10,
      refreshTokenReuseInterval: 3,
      email: { autoconfirm: false },
      sessionTimebox: 24 * 3600 * 1000,
      sessionInactivityTimeout: 30 * 60 * 1000,
    });
    // GoTrue splits the CLI's string on ":", where "\\:" is a literal colon inside the symbols.
    expect(config.requiredCharacterSets).toEqual([
      "abcdefghijklmnopqrstuvwxyz",
      "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
      "0123456789",
      "!@#$%^&*()_+-=[]{};'\\:\"|<>?,./`~",
    ]);
  });
});

describe("password strength", () => {
  const config = readAuthConfig('[auth]\nminimum_password_length = 8\npassword_requirements = "lower_upper_letters_digits"\n');

  it("names every rule a password breaks, in GoTrue's words", () => {
    expect(passwordWeakness("ab1", config)).toEqual({
      reasons: ["length", "characters"],
      message:
        "Password should be at least 8 characters. Password should contain at least one character of each: abcdefghijklmnopqrstuvwxyz, ABCDEFGHIJKLMNOPQRSTUVWXYZ, 0123456789.",
    });
    expect(passwordWeakness("lowercase-only", config)?.reasons).toEqual(["characters"]);
    expect(passwordWeakness("Strong-Enough-1", config)).toBeNull();
  });
});

describe("the sign-in failure limit", () => {
  it("limits sign-ins per client key with GoTrue's token bucket: a burst, then a steady refill", () => {
    const limiter = new SignInLimiter(3);
    for (const at of [0, 1, 2]) limiter.take("sign_in_sign_ups", "203.0.113.7", 60, at);
    expect(() => limiter.take("sign_in_sign_ups", "203.0.113.7", 60, 3)).toThrow("Request rate limit reached");
    expect(() => limiter.take("sign_in_sign_ups", "203.0.113.8", 60, 3)).not.toThrow();
    expect(() => limiter.take("token_refresh", "203.0.113.7", 60, 3)).not.toThrow();
    // 60 per 5 minutes is one every 5 seconds.
    expect(() => limiter.take("sign_in_sign_ups", "203.0.113.7", 60, 5_004)).not.toThrow();
    expect(() => limiter.take("sign_in_sign_ups", "203.0.113.7", 60, 5_005)).toThrow();
    for (let i = 0; i < 100; i++) limiter.take("sign_in_sign_ups", null, 60, 6_000);
  });

  it("keys a request by Sb-Forwarded-For when it holds an address, else the first X-Forwarded-For value", () => {
    const key = (headers: Record<string, string>) => rateLimitKey((name) => headers[name]);
    expect(key({ "sb-forwarded-for": "198.51.100.1, 10.0.0.1", "x-forwarded-for": "203.0.113.9" })).toBe("198.51.100.1");
    expect(key({ "sb-forwarded-for": "not-an-ip", "x-forwarded-for": " 203.0.113.9 , 10.0.0.1" })).toBe("203.0.113.9");
    expect(key({})).toBeNull();
  });
});

describe("Go's formats", () => {
  it("writes Postgres timestamps as Go's time.Time marshals them", () => {
    expect(goTime("2024-05-16 10:05:47.409300+00")).toBe("2024-05-16T10:05:47.4093Z");
    expect(goTime("2024-05-16 10:05:47+00")).toBe("2024-05-16T10:05:47Z");
    expect(goTime("2024-05-16 10:05:47.000001")).toBe("2024-05-16T10:05:47.000001Z");
  });

  it("parses Go durations", () => {
    expect(parseGoDuration("24h")).toBe(86_400_000);
    expect(parseGoDuration("1h30m")).toBe(5_400_000);
    expect(parseGoDuration("1.5s")).toBe(1500);
    expect(parseGoDuration("10")).toBeNull();
    expect(parseGoDuration("soon")).toBeNull();
  });
});
