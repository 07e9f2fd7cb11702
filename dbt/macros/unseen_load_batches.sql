{#- Incremental models built per capture: a build reads the load batches it has not seen, and
    a capture loaded again (re-parsed) comes back whole under a new batch, so its old rows are
    deleted first. For models with a `capture_id` and a `load_batch` column. -#}

{#- The condition on `load_batch` of a capture that this build has not seen yet. -#}
{% macro is_unseen_load_batch(column='load_batch') -%}
    {{ column }} > (select coalesce(max(load_batch), -1) from {{ this }})
{%- endmacro %}

{#- The pre-hook of an incremental build: delete the rows of the captures it is about to read. -#}
{% macro delete_unseen_captures() -%}
    delete from {{ this }} where capture_id in (select capture_id from {{ ref('int_captures_classified') }}
        where {{ is_unseen_load_batch() }})
{%- endmacro %}
