/** The scheme, host and port an endpoint-bound key may be sent to, as the API compares them. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
