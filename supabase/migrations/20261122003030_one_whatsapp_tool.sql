-- One WhatsApp tool in the registry. 0200 registered `whatsapp_send`; 003000 added `send_whatsapp`
-- for the same thing, so the agent form offered it twice. The first name stays (agents made before
-- 003000 may list it); the second goes unless an agent already picked it, in which case the registry
-- keeps it rather than leave that agent naming an unknown tool.
delete from public.tools t
where t.id = 'send_whatsapp'
  and not exists (select 1 from public.agents a where 'send_whatsapp' = any (a.tools));
