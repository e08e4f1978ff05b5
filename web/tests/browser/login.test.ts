import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, newPage, open, type LaunchedBrowser } from "./browser";
import { signUp } from "./people";

let chromium: LaunchedBrowser;

beforeAll(async () => {
  chromium = await launchChromium();
});

afterAll(async () => {
  await chromium?.close();
});

describe("the login page", () => {
  it("says clearly, in Portuguese, that the email or password is wrong, keeping the email", async () => {
    const { context, page } = await newPage(chromium.browser);
    const { email } = await signUp(page, "Ana Lima");
    await context.clearCookies();

    await open(page, "/login");
    await page.locator("#signin-email").fill(email);
    await page.locator("#signin-password").fill("uma-senha-errada");
    await page.getByRole("button", { name: "Entrar" }).last().click();

    const alert = page.getByRole("alert");
    await expect.poll(() => alert.textContent()).toBe("E-mail ou senha incorretos. Confira e tente de novo.");
    expect(await page.locator("#signin-email").inputValue()).toBe(email);
    expect(new URL(page.url()).pathname).toBe("/login");
    await context.close();
  });

  it("signs in with the right password and out again", async () => {
    const { context, page } = await newPage(chromium.browser);
    const { email, password } = await signUp(page, "Bruno Costa");
    await context.clearCookies();

    await open(page, "/login?redirectTo=%2Ftenants%2Fnew");
    await page.locator("#signin-email").fill(email);
    await page.locator("#signin-password").fill(password);
    await page.getByRole("button", { name: "Entrar" }).last().click();
    await page.waitForURL("**/tenants/new");

    await page.getByTestId("user-menu").click();
    await page.getByRole("menuitem", { name: "Sair" }).click();
    await page.waitForURL("**/login?signedOut=1");
    await open(page, "/agents");
    expect(new URL(page.url()).pathname).toBe("/login");
    await context.close();
  });
});
