import { join, resolve } from "node:path";
import { instanceKeys } from "./instance-keys.ts";

export const repoRoot = resolve(import.meta.dirname, "../..");

// Stacks run side by side: `dev` for `npm start`, `test` for `npm test` (so a test run never
// touches the data of the stack someone is using), `scratch` for tests that break a stack on
// purpose, `bench` for benchmarks that seed large data sets, and `work1`..`work8` for developers
// working on the stack in parallel. Each has a partner `<name>-asymmetric` on ports 50 above its
// own, for the part of the suites that runs on asymmetric signing keys beside it (run-all.ts).
// `test`, which CI runs, sits below Linux's ephemeral range (32768-60999): there an outgoing
// connection can briefly hold a port the stack is about to listen on.
type BaseInstanceName = "dev" | "test" | "scratch" | "bench" | "work1" | "work2" | "work3" | "work4" | "work5" | "work6" | "work7" | "work8";
export type InstanceName = BaseInstanceName | `${BaseInstanceName}-asymmetric`;

const asymmetricSuffix = "-asymmetric";
const partnerPortOffset = 50;

const portsByInstance: Record<BaseInstanceName, { apiPort: number; dbPort: number; webPort: number }> = {
  dev: { apiPort: 54321, dbPort: 54322, webPort: 5173 },
  test: { apiPort: 25321, dbPort: 25322, webPort: 25173 },
  scratch: { apiPort: 56321, dbPort: 56322, webPort: 56173 },
  bench: { apiPort: 58321, dbPort: 58322, webPort: 58173 },
  work1: { apiPort: 57121, dbPort: 57122, webPort: 57173 },
  work2: { apiPort: 57221, dbPort: 57222, webPort: 57273 },
  work3: { apiPort: 57321, dbPort: 57322, webPort: 57373 },
  work4: { apiPort: 57421, dbPort: 57422, webPort: 57473 },
  work5: { apiPort: 57521, dbPort: 57522, webPort: 57573 },
  work6: { apiPort: 57621, dbPort: 57622, webPort: 57673 },
  work7: { apiPort: 57721, dbPort: 57722, webPort: 57773 },
  work8: { apiPort: 57821, dbPort: 57822, webPort: 57873 },
};

export function isInstanceName(name: string): name is InstanceName {
  return baseName(name) in portsByInstance;
}

function baseName(name: string): string {
  return name.endsWith(asymmetricSuffix) ? name.slice(0, -asymmetricSuffix.length) : name;
}

/** The instance that runs beside `name` for the asymmetric-keys part of the suites. */
export function asymmetricPartner(name: InstanceName): InstanceName {
  return (name.endsWith(asymmetricSuffix) ? name : `${name}${asymmetricSuffix}`) as InstanceName;
}

function portsOf(name: InstanceName): { apiPort: number; dbPort: number; webPort: number } {
  const ports = portsByInstance[baseName(name) as BaseInstanceName];
  if (name === baseName(name)) return ports;
  return {
    apiPort: ports.apiPort + partnerPortOffset,
    dbPort: ports.dbPort + partnerPortOffset,
    webPort: ports.webPort + partnerPortOffset,
  };
}

export interface StackInstance {
  name: InstanceName;
  apiPort: number;
  dbPort: number;
  webPort: number;
  stateDir: string;
  pgDataDir: string;
  runDir: string;
  logDir: string;
  /** fsync off: the test database is thrown away each run, so crash safety buys nothing there. */
  durable: boolean;
}

export function stackInstance(name: InstanceName): StackInstance {
  const stateDir = join(repoRoot, ".stack", name);
  return {
    name,
    ...portsOf(name),
    stateDir,
    pgDataDir: join(stateDir, "pgdata"),
    runDir: join(stateDir, "run"),
    logDir: join(stateDir, "log"),
    durable: name === "dev",
  };
}

/**
 * The ports the stack's fake provider servers listen on (scripts/fakes/fake-ports.ts): forty
 * ports just above the gateway's, clear of every instance's API, database and web ports. The
 * function workers may reach 127.0.0.1 on these ports and no other internal address
 * (EGRESS_ALLOW_PRIVATE); production sets no such list.
 */
export function fakePortRange(instance: StackInstance): { first: number; last: number } {
  return { first: instance.apiPort + 9, last: instance.apiPort + 48 };
}

/**
 * The port of the range kept for the fake WhatsApp providers a test puts at the stack's own provider
 * addresses (WHATSAPP_GRAPH_URL, ZAPI_BASE_URL of its functions): the last one, which the other fakes
 * skip. Evolution's address is each inbox's own, so it needs none.
 */
export function whatsAppFakePort(instance: StackInstance): number {
  return fakePortRange(instance).last;
}

/** WHATSAPP_GRAPH_URL and ZAPI_BASE_URL of the stack's functions: the kept fake port (see above). */
export function whatsAppFakeAddresses(instance: StackInstance): { WHATSAPP_GRAPH_URL: string; ZAPI_BASE_URL: string } {
  const base = `http://127.0.0.1:${whatsAppFakePort(instance)}`;
  return { WHATSAPP_GRAPH_URL: `${base}/v21.0`, ZAPI_BASE_URL: base };
}

/**
 * The port kept for the fake SMS and e-mail providers (Twilio, Resend) a test puts at the stack's
 * notification addresses (TWILIO_API_URL, RESEND_API_URL of its functions): the one below the
 * WhatsApp fake's, which the other fakes skip too.
 */
export function notificationFakePort(instance: StackInstance): number {
  return fakePortRange(instance).last - 1;
}

/** The platform's SMS and e-mail settings of the stack's functions: the fakes' address and local credentials. */
export const localNotificationCredentials = {
  TWILIO_ACCOUNT_SID: "AC00000000000000000000000000000local",
  TWILIO_AUTH_TOKEN: "local-twilio-auth-token",
  TWILIO_FROM_NUMBER: "+15005550006",
  RESEND_API_KEY: "re_local_resend_key",
  NOTIFY_EMAIL_FROM: "Renum <avisos@renum.test>",
} as const;

export function notificationFakeAddresses(instance: StackInstance): Record<string, string> {
  const base = `http://127.0.0.1:${notificationFakePort(instance)}`;
  return { TWILIO_API_URL: base, RESEND_API_URL: base, ...localNotificationCredentials };
}

/** EGRESS_ALLOW_PRIVATE for the stack's function workers: its fakes' address and ports only. */
export function egressAllowList(instance: StackInstance): string {
  const { first, last } = fakePortRange(instance);
  return `127.0.0.1:${first}-${last}`;
}

export function apiUrl(instance: StackInstance): string {
  return `http://127.0.0.1:${instance.apiPort}`;
}

export function dbUrl(instance: StackInstance): string {
  return `postgresql://postgres:postgres@127.0.0.1:${instance.dbPort}/postgres`;
}

/**
 * The cluster's superuser, as `supabase_admin` is on Supabase: the platform bootstrap and the stack's
 * own upkeep connect with it; migrations, seed, tests and functions connect as `postgres`, which is
 * not a superuser here either.
 */
export function adminDbUrl(instance: StackInstance): string {
  return `postgresql://supabase_admin:postgres@127.0.0.1:${instance.dbPort}/postgres`;
}

/** For the Supabase CLI: the local cluster has no TLS, so say so instead of letting it try and warn. */
export function cliDbUrl(instance: StackInstance): string {
  return `${dbUrl(instance)}?sslmode=disable`;
}

/**
 * The same keys `supabase status -o json` prints, so tools written for the CLI read ours too: the
 * JWT secret and the anon and service_role keys on legacy keys, PUBLISHABLE_KEY and SECRET_KEY
 * (and the JWKS the functions get) on asymmetric keys.
 */
export function statusVariables(instance: StackInstance): Record<string, string> {
  const api = apiUrl(instance);
  const keys = instanceKeys(instance);
  const urls = {
    API_URL: api,
    FUNCTIONS_URL: `${api}/functions/v1`,
    DB_URL: dbUrl(instance),
    WEB_URL: `http://127.0.0.1:${instance.webPort}`,
  };
  if (keys.mode === "asymmetric") {
    return { ...urls, PUBLISHABLE_KEY: keys.publishableKey, SECRET_KEY: keys.secretKey };
  }
  return { ...urls, JWT_SECRET: keys.jwtSecret, ANON_KEY: keys.anonKey, SERVICE_ROLE_KEY: keys.serviceRoleKey };
}
