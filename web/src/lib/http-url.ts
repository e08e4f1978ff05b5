// Whether text is an http(s) address as the API's httpUrl() schema accepts it, without zod (which
// would add about 27 kB gzipped to the page): for a live preview; the server's answer decides.
export function isHttpUrl(value: string): boolean {
  const url = value.trim();
  return url.length <= 2048 && /^https?:\/\/[^\s/$.?#][^\s]*$/i.test(url);
}
