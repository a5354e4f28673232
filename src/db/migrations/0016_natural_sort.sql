-- Names sorted as people read them: "Delegate 2" before "Delegate 10" (ICU numeric ordering).
-- A PostgreSQL built without ICU gets a plain collation instead: the list still pages, in
-- character order. After an ICU upgrade: REINDEX INDEX people_name_natural; ALTER COLLATION
-- natural_sort REFRESH VERSION (see README).
do $$
begin
  if exists (select 1 from pg_collation where collprovider = 'i') then
    create collation if not exists natural_sort (provider = icu, locale = 'en-u-kn-true');
  else
    create collation if not exists natural_sort from "C";
  end if;
end
$$;

-- The people list pages in this order (name, then id), so it is read from an index.
create index if not exists people_name_natural on people ((name collate natural_sort), id) where erased_at is null;
