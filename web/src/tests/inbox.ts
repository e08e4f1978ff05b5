// The local stack's mail catcher (`/_stack/inbox` on the gateway), for tests that follow emailed
// links as a person would. API_URL comes from the test runner.
export interface CaughtEmail {
  id: string;
  to: string;
  subject: string;
  html: string;
}

function apiUrl(): string {
  const url = process.env.API_URL;
  if (!url) throw new Error("API_URL is not set: run the suites through `npm test`, which brings the stack up");
  return url.replace(/\/+$/, "");
}

/** The emails sent to `to`, newest first. */
export async function emailsTo(to: string): Promise<CaughtEmail[]> {
  const response = await fetch(`${apiUrl()}/_stack/inbox?to=${encodeURIComponent(to)}`);
  if (!response.ok) throw new Error(`the stack's inbox answered ${response.status}`);
  return ((await response.json()) as { messages: CaughtEmail[] }).messages;
}

/** The first link of the newest email to `to`, waiting briefly for it to arrive. */
export async function linkInLatestEmail(to: string): Promise<URL> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const [latest] = await emailsTo(to);
    const href = latest && /<a href="([^"]+)"/.exec(latest.html)?.[1];
    if (href) return new URL(href.replaceAll("&amp;", "&"));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no email with a link reached ${to}`);
}
