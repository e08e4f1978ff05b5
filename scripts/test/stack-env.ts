// What a vitest suite knows about the stack under test; scripts/test/run-all.ts provides it.
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suites through \`npm test\`, which brings the test stack up`);
  return value;
}

export const stackEnv = {
  get apiUrl() {
    return required("API_URL");
  },
  get functionsUrl() {
    return required("FUNCTIONS_URL");
  },
  get dbUrl() {
    return required("DB_URL");
  },
  get anonKey() {
    return required("ANON_KEY");
  },
  get serviceRoleKey() {
    return required("SERVICE_ROLE_KEY");
  },
  get jwtSecret() {
    return required("JWT_SECRET");
  },
  /** On a stack with asymmetric signing keys (instance-keys.ts): the key apps use, not a JWT. */
  get publishableKey() {
    return required("PUBLISHABLE_KEY");
  },
  /** On a stack with asymmetric signing keys: the service key, not a JWT. */
  get secretKey() {
    return required("SECRET_KEY");
  },
  /** The key a client app is built with on this stack: the publishable key, else the anon key. */
  get clientKey() {
    return process.env.PUBLISHABLE_KEY || required("ANON_KEY");
  },
};
