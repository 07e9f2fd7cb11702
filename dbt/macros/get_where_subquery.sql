{#- Data tests of a weekly build look at the new load batches only (warehouse/test_scope.py).

    A test restricted that way says so in its `where` config with one of two placeholders:
      `__tests_from_load_batch__`  the first load batch not tested yet (`load_batch >= __tests_from_load_batch__`);
      `__tested_captures__`        the capture_ids of those batches, for tables without a batch column
                                   (`capture_id in __tested_captures__`: schedules and slots).
    The batch comes from the environment variable GUICHETS_TESTS_FROM_LOAD_BATCH, which the
    pipeline sets for each build (warehouse/test_scope.py): unset or empty (full refresh, the monthly
    full tests, a build by hand) such a test reads the whole table, the placeholders never silently
    filter. An environment variable read when the test runs, not a dbt var: a new --vars value makes
    dbt parse the whole project again (7.5 s at national scale, against about 4 s partial). Other `where`
    configs behave as dbt's own macro (dbt/include/global_project/.../where_subquery.sql), which
    this one overrides. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') or '' -%}
    {%- if '__tests_from_load_batch__' in where or '__tested_captures__' in where -%}
        {%- set from_batch = env_var('GUICHETS_TESTS_FROM_LOAD_BATCH', '') or none -%}
        {%- if from_batch is none -%}
            {%- do return(relation) -%}
        {%- endif -%}
        {#- Pasted into SQL, so an integer (`int` makes anything else 0: every batch, never fewer rows). -#}
        {%- set from_batch = from_batch | int -%}
        {%- set captures = graph.nodes.values() | selectattr('name', 'equalto', 'stg_collector__captures')
            | selectattr('resource_type', 'equalto', 'model') | first -%}
        {%- set tested_captures -%}
            (select capture_id from {{ captures.relation_name }} where load_batch >= {{ from_batch }})
        {%- endset -%}
        {%- set where = where | replace('__tests_from_load_batch__', from_batch | string)
            | replace('__tested_captures__', tested_captures) -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}
