-- team templates (#18): a gallery of ready teams — lead qualification, market research, content
-- pipeline — each created in one step, agents and team together, on the demo provider (it works
-- without a key; the company switches each agent to a real provider when it adds one).
--
-- Security invoker on purpose: every insert runs as the caller under the tables' own RLS and
-- triggers, so creating from a template needs exactly what creating by hand needs (build_agents and
-- build_teams, a writable company, the plan's limits) and is audited the same way. One function,
-- one transaction: a refusal halfway leaves nothing behind.

-- The templates: agents in team order (name, description, instructions and role in each language)
-- and the team's workflow. Immutable data, kept beside the function that uses it.
create function public.team_template_definitions()
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select '{
    "lead_qualification": {
      "workflow_type": "pipeline",
      "name": {"pt-BR": "Qualificação de leads", "en": "Lead qualification"},
      "description": {"pt-BR": "Lê o contato de um lead, avalia se é um bom cliente e escreve a próxima mensagem.",
                      "en": "Reads a lead''s message, judges whether they fit, and writes the next message."},
      "agents": [
        {"name": {"pt-BR": "Triagem de leads", "en": "Lead triage"},
         "description": {"pt-BR": "Resume quem é o lead e o que ele quer.", "en": "Summarises who the lead is and what they want."},
         "prompt": {"pt-BR": "Você recebe a mensagem de um possível cliente. Resuma em tópicos: quem é, a empresa, a necessidade, o prazo e o orçamento citados. Não invente o que não foi dito.",
                    "en": "You receive a prospective customer''s message. Summarise as bullet points: who they are, their company, the need, and any deadline and budget mentioned. Do not invent what was not said."}},
        {"name": {"pt-BR": "Qualificador", "en": "Qualifier"},
         "description": {"pt-BR": "Dá uma nota de 0 a 10 com os motivos.", "en": "Scores the lead 0 to 10 with reasons."},
         "prompt": {"pt-BR": "A partir do resumo recebido, avalie o lead por necessidade, autoridade, orçamento e prazo. Dê uma nota de 0 a 10, diga se é qualificado (nota 7 ou mais) e explique em até três frases.",
                    "en": "From the summary you receive, assess the lead on need, authority, budget and timing. Give a score from 0 to 10, say whether they qualify (7 or more) and explain in at most three sentences."}},
        {"name": {"pt-BR": "Redator de follow-up", "en": "Follow-up writer"},
         "description": {"pt-BR": "Escreve a próxima mensagem ao lead.", "en": "Writes the next message to the lead."},
         "prompt": {"pt-BR": "Com a avaliação recebida, escreva uma mensagem curta e cordial ao lead: se qualificado, proponha uma conversa com dois horários; se não, agradeça e indique um material útil.",
                    "en": "With the assessment you receive, write a short, friendly message to the lead: if qualified, propose a call with two time slots; if not, thank them and point to a useful resource."}}
      ]
    },
    "market_research": {
      "workflow_type": "parallel",
      "name": {"pt-BR": "Pesquisa de mercado", "en": "Market research"},
      "description": {"pt-BR": "Três olhares ao mesmo tempo sobre um mercado: concorrência, público e tendências.",
                      "en": "Three views of a market at once: competitors, audience and trends."},
      "agents": [
        {"name": {"pt-BR": "Analista de concorrência", "en": "Competitor analyst"},
         "description": {"pt-BR": "Quem já atende esse mercado e como.", "en": "Who already serves this market, and how."},
         "prompt": {"pt-BR": "Para o mercado ou produto descrito, liste os principais concorrentes, o que oferecem, preço aproximado e pontos fracos. Diga o que é suposição.",
                    "en": "For the market or product described, list the main competitors, what they offer, rough price and weak points. Say what is an assumption."}},
        {"name": {"pt-BR": "Analista de público", "en": "Audience analyst"},
         "description": {"pt-BR": "Quem compra e por quê.", "en": "Who buys, and why."},
         "prompt": {"pt-BR": "Para o mercado ou produto descrito, descreva de dois a três perfis de cliente: quem são, o problema que têm, o que os faz comprar e onde encontrá-los.",
                    "en": "For the market or product described, describe two or three customer profiles: who they are, their problem, what makes them buy and where to find them."}},
        {"name": {"pt-BR": "Analista de tendências", "en": "Trend analyst"},
         "description": {"pt-BR": "O que está mudando nesse mercado.", "en": "What is changing in this market."},
         "prompt": {"pt-BR": "Para o mercado ou produto descrito, aponte as tendências, riscos e oportunidades dos próximos dois anos, cada uma com uma frase de justificativa.",
                    "en": "For the market or product described, point out the trends, risks and opportunities of the next two years, each with a one-sentence reason."}}
      ]
    },
    "content_pipeline": {
      "workflow_type": "pipeline",
      "name": {"pt-BR": "Produção de conteúdo", "en": "Content pipeline"},
      "description": {"pt-BR": "Da pauta ao texto revisado: um agente planeja, outro escreve, outro revisa.",
                      "en": "From brief to edited text: one agent plans, one writes, one edits."},
      "agents": [
        {"name": {"pt-BR": "Pauteiro", "en": "Planner"},
         "description": {"pt-BR": "Transforma o tema num roteiro.", "en": "Turns the topic into an outline."},
         "prompt": {"pt-BR": "Transforme o tema recebido num roteiro: título, público, objetivo e de quatro a seis seções com os pontos de cada uma.",
                    "en": "Turn the topic you receive into an outline: title, audience, goal and four to six sections with the points of each."}},
        {"name": {"pt-BR": "Redator", "en": "Writer"},
         "description": {"pt-BR": "Escreve o texto a partir do roteiro.", "en": "Writes the text from the outline."},
         "prompt": {"pt-BR": "Escreva o texto completo seguindo o roteiro recebido, em linguagem clara e direta, com exemplos concretos.",
                    "en": "Write the full text following the outline you receive, in clear, direct language with concrete examples."}},
        {"name": {"pt-BR": "Revisor", "en": "Editor"},
         "description": {"pt-BR": "Revisa clareza, correção e tom.", "en": "Edits for clarity, correctness and tone."},
         "prompt": {"pt-BR": "Revise o texto recebido: corrija erros, corte repetições, deixe as frases claras e mantenha o tom. Devolva só o texto final.",
                    "en": "Edit the text you receive: fix mistakes, cut repetition, make sentences clear and keep the tone. Return only the final text."}}
      ]
    }
  }'::jsonb;
$$;
comment on function public.team_template_definitions() is
  'The team templates (lead_qualification, market_research, content_pipeline): workflow, and each '
  'agent''s name, description and instructions in pt-BR and en. Authenticated users.';

-- Creates the template's agents (active, demo provider) and its team in the caller's company, in the
-- language asked for, and answers the new team's id. Raises P0001 team_template_unknown or
-- team_template_language; refusals of the tables themselves (42501 without build_agents or
-- build_teams, tenant_read_only, plan limits) come through as they are.
create function public.create_team_from_template(target_tenant_id uuid, template_key text, locale text default 'pt-BR')
returns uuid
language plpgsql
security invoker
set search_path = ''
as $$
declare
  definition jsonb := public.team_template_definitions() -> create_team_from_template.template_key;
  member jsonb;
  agent_position integer := 0;
  new_agent_id uuid;
  new_team_id uuid;
begin
  if definition is null then
    raise exception using errcode = 'P0001', constraint = 'team_template_unknown',
      message = pg_catalog.format('there is no team template %L', create_team_from_template.template_key),
      hint = 'Use lead_qualification, market_research or content_pipeline.';
  end if;
  if create_team_from_template.locale is null or create_team_from_template.locale not in ('pt-BR', 'en') then
    raise exception using errcode = 'P0001', constraint = 'team_template_language',
      message = 'a template is created in pt-BR or en';
  end if;

  insert into public.teams (tenant_id, name, description, workflow_type)
  values (target_tenant_id, definition -> 'name' ->> create_team_from_template.locale, definition -> 'description' ->> create_team_from_template.locale,
          (definition ->> 'workflow_type')::public.workflow_type)
  returning id into new_team_id;

  for member in select value from pg_catalog.jsonb_array_elements(definition -> 'agents') loop
    agent_position := agent_position + 1;
    insert into public.agents (tenant_id, name, description, provider, model, system_prompt, status)
    values (target_tenant_id, member -> 'name' ->> create_team_from_template.locale, member -> 'description' ->> create_team_from_template.locale, 'demo', 'demo-small',
            member -> 'prompt' ->> create_team_from_template.locale, 'active')
    returning id into new_agent_id;
    insert into public.team_agents (team_id, agent_id, execution_order) values (new_team_id, new_agent_id, agent_position);
  end loop;
  return new_team_id;
end;
$$;
comment on function public.create_team_from_template(uuid, text, text) is
  'Creates a template''s demo agents and team in the tenant, as the caller under RLS (build_agents and '
  'build_teams needed), in one transaction; answers the team id. Raises P0001 team_template_unknown, '
  'team_template_language, and whatever the tables refuse.';

revoke all on function public.team_template_definitions() from public, anon;
revoke all on function public.create_team_from_template(uuid, text, text) from public, anon;
grant execute on function public.team_template_definitions() to authenticated;
grant execute on function public.create_team_from_template(uuid, text, text) to authenticated;
