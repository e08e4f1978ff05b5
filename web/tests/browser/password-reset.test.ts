// Forgetting the password, in the browser: "Esqueceu a senha?" → the email caught by the stack's
// inbox → its link → a new password → signed in on the dashboard → out → in with the new one;
// and the spent link offers to send another.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkInLatestEmail } from "../../src/tests/inbox";
import { launchChromium, newPage, open, type LaunchedBrowser } from "./browser";
import { createCompany, signUp } from "./people";

let chromium: LaunchedBrowser;

beforeAll(async () => {
  chromium = await launchChromium();
});

afterAll(async () => {
  await chromium?.close();
});

describe("forgetting the password", () => {
  it("goes from the sign-in form to a new password through the emailed link", async () => {
    const { context, page } = await newPage(chromium.browser);
    const { email, password } = await signUp(page, "Helena Souza");
    await createCompany(page, "Souza Contabilidade");
    await context.clearCookies();

    await open(page, "/login");
    await page.getByRole("link", { name: "Esqueceu a senha?" }).click();
    await page.waitForURL("**/login/forgot");
    await page.getByLabel("E-mail").fill(email);
    await page.getByRole("button", { name: "Enviar link" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toContain(`Se existir uma conta com ${email}`);

    const link = await linkInLatestEmail(email);
    expect(link.pathname).toBe("/auth/confirm");
    await page.goto(link.toString());
    await page.waitForURL("**/login/reset");
    await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
    await expect.poll(() => page.getByRole("main").textContent()).toContain(email);

    // The browser refuses two different passwords before anything is sent.
    await page.getByLabel("Nova senha", { exact: true }).fill("minha-nova-senha-1");
    await page.getByLabel("Repita a nova senha").fill("outra-coisa-1");
    await page.getByLabel("Repita a nova senha").blur();
    await expect.poll(() => page.getByText("As duas senhas não são iguais.").count()).toBe(1);
    await page.getByRole("button", { name: "Salvar nova senha" }).click();
    expect(new URL(page.url()).pathname).toBe("/login/reset");

    await page.getByLabel("Repita a nova senha").fill("minha-nova-senha-1");
    await page.getByRole("button", { name: "Salvar nova senha" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await expect.poll(() => page.getByText("Senha alterada. Você já está conectado.").count()).toBe(1);

    await page.getByTestId("user-menu").click();
    await page.getByRole("menuitem", { name: "Sair" }).click();
    await page.waitForURL("**/login?signedOut=1");
    await page.locator("#signin-email").fill(email);
    await page.locator("#signin-password").fill(password);
    await page.getByRole("button", { name: "Entrar" }).last().click();
    await expect.poll(() => page.getByRole("alert").textContent()).toBe("E-mail ou senha incorretos. Confira e tente de novo.");
    await page.locator("#signin-password").fill("minha-nova-senha-1");
    await page.getByRole("button", { name: "Entrar" }).last().click();
    await page.waitForURL((url) => url.pathname === "/");

    // The link worked once: opened again, it explains and offers a new one.
    await context.clearCookies();
    await page.goto(link.toString());
    await page.waitForURL("**/login/forgot?expired=1");
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("Este link expirou ou já foi usado");
    expect(await page.getByRole("button", { name: "Enviar link" }).count()).toBe(1);
    await context.close();
  });
});
