// Where Supabase Auth may send a browser after an emailed link (GoTrue's utilities.GetReferrer and
// IsRedirectURLValid): the site itself (same scheme and host; any port on a loopback host, as
// RFC 8252 lets native apps choose theirs), or an entry of `additional_redirect_urls`, which are
// glob patterns with "." and "/" as separators ("*" stops at them, "**" does not). Anything else
// falls back to `site_url`, so a link can never lead off to an address nobody allowed.
import type { AuthConfig } from "./config.ts";

const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

function parsed(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** gobwas/glob's syntax with separators "." and "/", as a regular expression. */
function globPattern(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const character = pattern[i];
    if (character === "*" && pattern[i + 1] === "*") {
      source += ".*";
      i++;
    } else if (character === "*") source += "[^./]*";
    else if (character === "?") source += "[^./]";
    else if (character === "{") source += "(?:";
    else if (character === "}") source += ")";
    else if (character === ",") source += "|";
    else source += character.replace(/[.+^$()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

export function isRedirectUrlValid(config: AuthConfig, redirectUrl: string): boolean {
  // Control characters and spaces never belong in a URL; browsers strip some, which would change its meaning.
  if (redirectUrl === "" || [...redirectUrl].some((character) => character <= " " || character === "\x7f")) return false;
  const site = parsed(config.siteUrl);
  const target = parsed(redirectUrl);
  if (!site || !target) return false;
  if (
    site.hostname === target.hostname &&
    site.protocol === target.protocol &&
    (site.port === target.port || loopbackHosts.has(target.hostname))
  ) {
    return true;
  }
  return config.additionalRedirectUrls.some((pattern) => globPattern(pattern).test(redirectUrl));
}

/** GoTrue's GetReferrer: `redirect_to` (header, then query), else the Referer header, when allowed; else `site_url`. */
export function referrer(config: AuthConfig, request: { header(name: string): string | undefined; query(name: string): string | undefined }): string {
  const requested = request.header("redirect_to") || request.query("redirect_to") || "";
  if (isRedirectUrlValid(config, requested)) return requested;
  const referer = request.header("referer") ?? "";
  if (isRedirectUrlValid(config, referer)) return referer;
  return config.siteUrl;
}
