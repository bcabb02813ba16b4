-- Award keys escape `\` and `/` inside their parts (src/service/award-key.ts): unescaped, two
-- awards whose ids differ only in where a `/` falls shared one key. Rows of ids with neither
-- character keep their key; the others are rewritten to the escaped form.
update awards set award_key =
  (case when order_id is not null
        then 'order:' || replace(replace(order_id, '\', '\\'), '/', '\/')
        else 'period:' || replace(replace(period, '\', '\\'), '/', '\/') end)
  || '/' || replace(replace(member, '\', '\\'), '/', '\/')
  || '/' || replace(replace(rule, '\', '\\'), '/', '\/')
where strpos(coalesce(order_id, period) || member || rule, '/') > 0
   or strpos(coalesce(order_id, period) || member || rule, '\') > 0;
