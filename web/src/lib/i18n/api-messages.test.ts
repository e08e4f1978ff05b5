import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { get } from "svelte/store";
import { en } from "./messages/en";
import { ptBR } from "./messages/pt-BR";
import { beforeAll, describe, expect, it } from "vitest";
import { _, apiMessage, fieldMessage, fieldMessages, useLocale, type Translate } from "$lib/i18n";

let t: Translate;

beforeAll(() => {
  useLocale("pt-BR");
  t = get(_);
});

describe("the API's field messages in Portuguese", () => {
  it.each([
    ["Must not be empty.", "Preencha este campo."],
    ["Must have at most 120 characters.", "Use no máximo 120 caracteres."],
    ["Must have at least 8 characters.", "Use pelo menos 8 caracteres."],
    ["Must be between 0 and 2.", "Use um valor entre 0 e 2."],
    ["Must be a valid CNPJ (14 digits with matching check digits).", "CNPJ inválido: confira os 14 dígitos."],
    ["Too small: expected number to be >=1", "Use um valor a partir de 1."],
  ])("%s → %s", (english, portuguese) => {
    expect(fieldMessage(english, t)).toBe(portuguese);
  });

  it("keeps a message it has no words for as the API wrote it", () => {
    expect(fieldMessage("agent 42 is not an agent of this company", t)).toBe("agent 42 is not an agent of this company");
  });

  it("translates every field of a failure", () => {
    expect(fieldMessages({ name: "Must not be empty.", model: "Must have at most 200 characters." }, t)).toEqual({
      name: "Preencha este campo.",
      model: "Use no máximo 200 caracteres.",
    });
  });
});

describe("a field a database rule refused", () => {
  it("says the rule in the page's language, whatever the API's English", () => {
    expect(fieldMessages({ "agents.1.role": "a team has at most one leader or coordinator" }, t, { "agents.1.role": "team_one_leader" })).toEqual({
      "agents.1.role": "Uma equipe tem no máximo um líder ou coordenador.",
    });
    expect(apiMessage({ code: "validation_failed", message: "x", fields: { "agents.1.role": "x" }, reason: "team_one_leader" }, t, "pt-BR")).toBe(
      "Uma equipe tem no máximo um líder ou coordenador.",
    );
  });

  it("has words in both languages for every rule of a team's workflow the database raises", () => {
    const migrations = join(import.meta.dirname, "../../../../supabase/migrations");
    const sql = readdirSync(migrations).map((name) => readFileSync(join(migrations, name), "utf8")).join("\n");
    const codes = [...new Set([...sql.matchAll(/constraint = '(team_[a-z_]+)'/g)].map((match) => match[1]))];
    expect(codes.length).toBeGreaterThan(5);
    const rules = (messages: typeof en) => messages.api.rules as Record<string, string>;
    expect(codes.filter((code) => !rules(ptBR)[code] || !rules(en)[code])).toEqual([]);
  });
});

describe("the sentence above a refused form", () => {
  it("points at the fields when the API named them", () => {
    const problem = { code: "validation_failed", message: "The request body is invalid: name: Must not be empty.", fields: { name: "Must not be empty." } };
    expect(apiMessage(problem, t, "pt-BR")).toBe("Confira os campos destacados.");
  });

  it("says an address is taken when a slug conflicts, in either language", () => {
    const problem = { code: "conflict", message: "A record with the same slug already exists.", fields: { slug: "Already taken." } };
    expect(apiMessage(problem, t, "pt-BR")).toBe("Este endereço já está em uso. Escolha outro.");
  });

  it("translates known codes in Portuguese and keeps the API's own words in English", () => {
    const problem = { code: "forbidden", message: "Only the company's owners and admins can change it." };
    expect(apiMessage(problem, t, "pt-BR")).toBe("Você não tem permissão para fazer isso.");
    expect(apiMessage(problem, t, "en")).toBe("Only the company's owners and admins can change it.");
  });

  it("says which unique rule a conflict broke from the constraint it names, whatever the wording", () => {
    const shared = { code: "conflict", message: "Reworded.", reason: "agent_shares_one_per_user" };
    expect(apiMessage(shared, t, "pt-BR")).toBe("Este agente já está compartilhado com quem você indicou.");
    const member = { code: "conflict", message: "Reworded.", reason: "invitations_invitee_is_member" };
    expect(apiMessage(member, t, "pt-BR")).toBe("Esta pessoa já é membro da empresa. Para mudar o que ela pode fazer, altere o papel dela na lista de membros.");
    // The two invitation conflicts are told apart: an open invitation is resent, a member is not invited.
    const pending = { code: "conflict", message: "Reworded.", reason: "invitations_one_pending_per_email" };
    expect(apiMessage(pending, t, "pt-BR")).toBe("Este e-mail já tem um convite pendente para esta empresa. Reenvie ou cancele esse convite na lista abaixo.");
    expect(apiMessage({ code: "conflict", message: "already shared, invited, slug" }, t, "pt-BR")).toBe("Isso conflita com algo que já existe.");
  });

  it("says a suspended company is read-only rather than that the person lacks permission, in either language", () => {
    const problem = { code: "tenant_read_only", message: "reworded by someone: not the words the app looks for" };
    expect(apiMessage(problem, t, "pt-BR")).toBe("Esta empresa está suspensa ou inativa: dá para consultar os dados, mas não alterar nada.");
    // The app's own words in English too (`t` here speaks Portuguese), not the API's developer wording.
    expect(apiMessage(problem, t, "en")).toBe(t("account.tenantReadOnly"));
    expect(apiMessage({ code: "forbidden", message: "Only owners can do that." }, t, "pt-BR")).toBe("Você não tem permissão para fazer isso.");
  });

  it("says nobody was found to share with", () => {
    expect(apiMessage({ code: "share_grantee_not_found", message: "reworded" }, t, "pt-BR")).toBe("Não encontramos ninguém com esse e-mail ou endereço.");
    expect(apiMessage({ code: "not_found", message: "no user with that email" }, t, "pt-BR")).toBe("Não encontrado.");
  });

  it("says an internal address is refused, in the page's language", () => {
    const problem = { code: "address_not_allowed", message: "agents_endpoint_url: 10.0.0.8 is an internal address; Renum only calls public addresses." };
    expect(apiMessage(problem, t, "pt-BR")).toBe("O Renum só chama endereços públicos: use o endereço https público do serviço, não um local, privado ou interno.");
    expect(apiMessage(problem, t, "en")).toBe(problem.message);
  });

  it("says a database rule in its own words by its code, in either language", () => {
    const problem = { code: "team_has_runs_in_flight", message: "reworded" };
    expect(apiMessage(problem, t, "pt-BR")).toBe("A equipe tem execuções em andamento: pare-as ou espere terminarem antes.");
    expect(apiMessage({ code: "share_grantee_is_member", message: "reworded" }, t, "pt-BR")).toBe("Esta pessoa já pertence à empresa do agente.");
  });

  it("says a field's database rule in its own words by the code its details name, not by the wording", () => {
    const problem = { code: "validation_failed", message: "reworded", fields: { endpoint_url: "reworded" }, reason: "endpoint_not_accepted" };
    expect(apiMessage(problem, t, "pt-BR")).toBe("Esta chave só vai para o endereço do próprio provedor: deixe o endereço em branco.");
    expect(apiMessage({ code: "sign_in_required", message: "reworded" }, t, "pt-BR")).toBe("Entre na sua conta para fazer isso.");
    // A field refused by no rule of its own still asks to fix the fields.
    expect(apiMessage({ code: "validation_failed", message: "x", fields: { name: "Is required." }, reason: "some_check" }, t, "pt-BR")).toBe(t("common.fixFields"));
  });

  it("quotes a rule it has no words for", () => {
    const problem = { code: "rule_violated", message: "some rule without a code" };
    expect(apiMessage(problem, t, "pt-BR")).toBe("Isso não é permitido: some rule without a code");
  });
});
