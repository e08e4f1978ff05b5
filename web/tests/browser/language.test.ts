import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, newPage, open, type LaunchedBrowser } from "./browser";
import { createCompany, signUp } from "./people";

let chromium: LaunchedBrowser;

beforeAll(async () => {
  chromium = await launchChromium();
});

afterAll(async () => {
  await chromium?.close();
});

describe("the language switch", () => {
  it("turns the app into English, and the choice stays", async () => {
    const { context, page } = await newPage(chromium.browser);
    await signUp(page, "Carla Dias");
    await createCompany(page, "Mercado Central");
    expect(await page.locator("html").getAttribute("lang")).toBe("pt-BR");
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Olá, Carla Dias!");

    await page.getByRole("button", { name: "English" }).first().click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Hello, Carla Dias!");
    expect(await page.getByRole("link", { name: "Agents" }).first().isVisible()).toBe(true);

    await open(page, "/agents");
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Agents");
    expect(await page.getByText("No agents yet").isVisible()).toBe(true);

    await page.getByRole("button", { name: "Português" }).first().click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Agentes");
    await context.close();
  });

  it("works before signing in too", async () => {
    const { context, page } = await newPage(chromium.browser);
    await open(page, "/login");
    await page.getByRole("button", { name: "English" }).click();
    await expect.poll(() => page.getByRole("tab", { name: "Sign up" }).isVisible()).toBe(true);
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    await context.close();
  });
});
