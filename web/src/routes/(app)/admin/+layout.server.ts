// /admin and below: only for platform admins (profiles.is_platform_admin, read by the (app) layout
// from GET /me/profile). The pages' loads check again through the API, which decides.
import { notFoundForOthers } from "$lib/server/admin";
import type { LayoutServerLoad } from "./$types";

export const load: LayoutServerLoad = async ({ parent }) => {
  const { account } = await parent();
  if (!account.isPlatformAdmin) notFoundForOthers();
  return {};
};
