// The global that Supabase's Edge Runtime gives every function (the local stack provides the same).
declare const EdgeRuntime: {
  /** Keeps background work alive after the response has been sent. */
  waitUntil<T>(promise: Promise<T>): Promise<T>;
};
