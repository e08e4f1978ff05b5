-- project report: a project's live figures, read from the interview rows only (never the
-- messages): interviews per status, the completion rate (completed over those not cancelled), and
-- per question how many answered, the distribution of choices (one_of, yes_no, scale_1_5) and
-- for numbers and scales the average, minimum and maximum, and for free text the most frequent
-- words (word cloud data). Skipped and erased answers are not counted as values.
--
-- Free-text words: each answer is lower-cased and split on anything that is not a letter; words of
-- one or two letters and Portuguese and English stop words are dropped; words are counted with
-- their accents folded as private.fold_word folds them ("Ótimo" and "otimo" are one word), and each
-- is shown in its most frequent spelling ("ótimo"). The 30 most frequent, by count then word.
--
-- Who may do what: whoever reads the project (members and analysts of its company, RLS) reads its
-- report; security invoker, so RLS decides.

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
/*
 * The report of `target_project_id` (see the opening comment) as jsonb: {project_id, interviews:
 * {total, pending, invited, in_progress, completed, cancelled, expired}, completion_rate (0-1, null
 * with nothing to count), questions: [{id, text, answer_type, answered, distribution?, average?,
 * min?, max?, words? ([{word, count}], free text only)}]}. Raises project_not_found (P0002) when the caller cannot read the project.
 */
create or replace function public.project_report(target_project_id uuid)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  project public.projects;
  counts jsonb;
  per_question jsonb;
  -- Folded (no accents) and at least three letters long: shorter words are dropped before this.
  -- Inline rather than a private helper: the function runs as its caller, who has no private schema.
  stop_words constant text[] := '{
    que,nao,uma,umas,uns,para,com,por,mais,como,mas,dos,das,nos,nas,foi,fui,ele,ela,eles,elas,
    isso,isto,esse,essa,esses,essas,este,esta,estes,estas,aquilo,aquele,aquela,aqueles,aquelas,
    seu,sua,seus,suas,meu,minha,meus,minhas,nosso,nossa,nossos,nossas,teu,tua,dele,dela,deles,delas,
    tem,ter,tinha,tenho,temos,tive,teve,sao,ser,sou,era,eram,estar,estou,estava,estao,seja,sejam,
    fosse,seria,sera,vai,vou,pelo,pela,pelos,pelas,entre,quando,muito,muita,muitos,muitas,tambem,
    ate,sem,mesmo,mesma,pois,porque,qual,quais,quem,onde,aos,num,numa,lhe,lhes,voce,voces,
    depois,ainda,sobre,assim,entao,aqui,ali,todo,toda,todos,todas,tudo,nada,cada,outro,outra,
    outros,outras,nem,quer,pra,pro,tao,the,and,for,are,but,not,you,your,yours,all,any,can,
    had,has,have,her,hers,his,him,was,were,our,ours,out,she,they,them,their,theirs,this,that,
    these,those,with,from,what,which,who,whom,when,where,why,how,will,would,should,could,there,
    here,been,being,did,does,doing,just,than,then,too,very,about,into,over,under,again,also,more,
    most,some,such,only,own,same,other,each,few,both,because,until,while,its,itself,myself,
    ourselves,yourself,yourselves,himself,herself,themselves,off,nor,don,doesn,didn,isn,aren,wasn,
    weren,won,wouldn,shouldn,couldn,haven,hasn,hadn,can,cannot,let,get,got}';
begin
  select p.* into project from public.projects p where p.id = target_project_id;
  if project.id is null then
    raise exception using errcode = 'P0002', constraint = 'project_not_found', message = 'project not found';
  end if;
  select pg_catalog.jsonb_build_object(
           'total', count(*),
           'pending', count(*) filter (where i.status = 'pending'),
           'invited', count(*) filter (where i.status = 'invited'),
           'in_progress', count(*) filter (where i.status = 'in_progress'),
           'completed', count(*) filter (where i.status = 'completed'),
           'cancelled', count(*) filter (where i.status = 'cancelled'),
           'expired', count(*) filter (where i.status = 'expired'))
  into counts
  from public.interviews i where i.project_id = project.id;

  select coalesce(pg_catalog.jsonb_agg(
           pg_catalog.jsonb_build_object('id', q.question ->> 'id', 'text', q.question ->> 'text', 'answer_type', q.question ->> 'answer_type',
                                         'answered', s.answered)
           || case when q.question ->> 'answer_type' in ('one_of', 'yes_no', 'scale_1_5')
                   then pg_catalog.jsonb_build_object('distribution', coalesce(d.distribution, '{}')) else '{}' end
           || case when q.question ->> 'answer_type' in ('number', 'scale_1_5')
                   then pg_catalog.jsonb_build_object('average', s.average, 'min', s.min_value, 'max', s.max_value) else '{}' end
           || case when q.question ->> 'answer_type' = 'free_text'
                   then pg_catalog.jsonb_build_object('words', coalesce(w.words, '[]')) else '{}' end
           order by q.n), '[]')
  into per_question
  from pg_catalog.jsonb_array_elements(project.questions) with ordinality as q (question, n)
  cross join lateral (
    select count(v.value) as answered,
           round(avg((v.value #>> '{}')::numeric) filter (where pg_catalog.jsonb_typeof(v.value) = 'number'), 2) as average,
           min((v.value #>> '{}')::numeric) filter (where pg_catalog.jsonb_typeof(v.value) = 'number') as min_value,
           max((v.value #>> '{}')::numeric) filter (where pg_catalog.jsonb_typeof(v.value) = 'number') as max_value
    from public.interviews i
    cross join lateral (select nullif(i.answers #> array[q.question ->> 'id', 'value'], 'null'::jsonb) as value) v
    where i.project_id = project.id
  ) s
  cross join lateral (
    select pg_catalog.jsonb_object_agg(c.choice, c.how_many) as distribution
    from (select i.answers #>> array[q.question ->> 'id', 'value'] as choice, count(*) as how_many
          from public.interviews i
          where i.project_id = project.id and coalesce(pg_catalog.jsonb_typeof(i.answers #> array[q.question ->> 'id', 'value']), 'null') <> 'null'
          group by 1) c
  ) d
  cross join lateral (
    select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('word', top.word, 'count', top.how_many) order by top.how_many desc, top.word) as words
    from (select (array_agg(spelling.word order by spelling.how_many desc, spelling.word))[1] as word, sum(spelling.how_many)::integer as how_many
          from (select t.word, pg_catalog.translate(t.word, 'áàâãäåéèêëíìîïóòôõöúùûüçñý', 'aaaaaaeeeeiiiiooooouuuucny') as folded, count(*) as how_many
                from public.interviews i
                cross join lateral pg_catalog.regexp_split_to_table(pg_catalog.lower(i.answers #>> array[q.question ->> 'id', 'value']), '[^[:alpha:]]+') t (word)
                where q.question ->> 'answer_type' = 'free_text' and i.project_id = project.id
                  and pg_catalog.jsonb_typeof(i.answers #> array[q.question ->> 'id', 'value']) = 'string'
                  and char_length(t.word) >= 3
                group by t.word) spelling
          where spelling.folded <> all (stop_words)
          group by spelling.folded
          order by 2 desc, 1
          limit 30) top
  ) w;

  return pg_catalog.jsonb_build_object(
    'project_id', project.id,
    'interviews', counts,
    'completion_rate', case when (counts ->> 'total')::integer - (counts ->> 'cancelled')::integer > 0
                            then round((counts ->> 'completed')::numeric / ((counts ->> 'total')::integer - (counts ->> 'cancelled')::integer), 4) end,
    'questions', per_question);
end;
$$;
comment on function public.project_report(uuid) is
  'Whoever reads the project: interviews per status, completion rate, per question answered count, choice distribution, average/min/max, free-text top words. Raises project_not_found.';

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
grant execute on function public.project_report(uuid) to authenticated;
