// What a person does first in the app, in the browser: sign up, create their company.
import type { Page } from "playwright-core";
import { open } from "./browser";

let count = 0;

/** A new account through the sign-up tab of /login; the app then asks for a company. */
export async function signUp(page: Page, name: string): Promise<{ email: string; password: string }> {
  const email = `browser-${Date.now()}-${++count}@example.test`;
  const password = "senha-segura-1";
  await open(page, "/login");
  await page.getByRole("tab", { name: "Criar conta" }).click();
  await page.getByLabel("Seu nome").fill(name);
  await page.locator("#signup-email").fill(email);
  await page.locator("#signup-password").fill(password);
  await page.getByRole("button", { name: "Criar conta" }).last().click();
  await page.waitForURL("**/tenants/new");
  return { email, password };
}

/** Creates a company from /tenants/new and lands on its dashboard. */
export async function createCompany(page: Page, name: string): Promise<void> {
  await page.getByLabel("Nome da empresa").fill(name);
  // The address the page suggests from the name, made unique: stacks outlive one run when reused by hand.
  const slug = page.getByLabel("Endereço (slug)");
  await slug.fill(`${await slug.inputValue()}-${Date.now().toString(36)}`);
  await page.getByRole("button", { name: "Criar empresa" }).click();
  await page.waitForURL((url) => url.pathname === "/");
}

/** How much wider than the window the page is (0 when nothing sticks out sideways). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}
