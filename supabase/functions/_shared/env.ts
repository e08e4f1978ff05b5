/** A setting the platform must provide; its absence is a deployment mistake, said plainly. */
export function requiredEnv(name: string): string {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`the environment variable ${name} is not set`);
  return value;
}
