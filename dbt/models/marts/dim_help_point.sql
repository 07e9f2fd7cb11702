-- Per procedure, the registered counters where a person can get help with it (registry help_points).

with

help_points as (

    select * from {{ ref('stg_registry__help_points') }}

),

final as (

    select
        procedure_key,
        help_kind,
        counter_id,
        help_note

    from help_points

)

select * from final
order by procedure_key, help_kind, counter_id
