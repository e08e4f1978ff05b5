// Stand-ins for @supabase/postgrest-js and @supabase/storage-js in the browser build only (see
// vite.config.ts). The browser never reads tables or Storage itself: its data comes from the
// SvelteKit server and the `api` function (docs/architecture.md, "Layers"), and its Supabase client is for
// Auth and Realtime. supabase-js constructs both clients anyway, so these are constructed and do
// nothing; any real use throws at once, saying why, instead of failing somewhere later.
function notInTheBrowser(what: string): never {
  throw new Error(`${what} is not available in the browser build: read data through the SvelteKit server and the api function`);
}

export class PostgrestClient {
  from(): never {
    return notInTheBrowser("supabase.from()");
  }
  schema(): never {
    return notInTheBrowser("supabase.schema()");
  }
  rpc(): never {
    return notInTheBrowser("supabase.rpc()");
  }
  getOpenApiSpec(): never {
    return notInTheBrowser("supabase.getOpenApiSpec()");
  }
}

export class PostgrestError extends Error {}

export class StorageClient {
  from(): never {
    return notInTheBrowser("supabase.storage");
  }
}

export class StorageApiError extends Error {}
