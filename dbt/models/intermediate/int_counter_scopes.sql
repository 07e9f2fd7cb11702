-- Each registered counter in each indicator cell it counts in: `belgium`, its `region` (its
-- commune's region, else its administration's: a federal body's counter without a commune has
-- no region), its `municipality` (when it has a commune) and its `administration`, each under its
-- administration level and under `all`. Shared by int_access_indicator_cells (the indicators)
-- and fct_access_changes (like-for-like changes), so both count a counter in the same cells.

with

counters as (

    select * from {{ ref('dim_counter') }}

),

municipalities as (

    select * from {{ ref('dim_municipality') }}
    where is_current

),

located as (

    select
        counters.counter_id,
        counters.source_id,
        counters.administration_id,
        counters.administration_level,
        counters.nis_code,
        coalesce(municipalities.region,
            case when counters.region in ('wallonia', 'brussels', 'flanders') then counters.region end) as region

    from counters
    left join municipalities on municipalities.nis_code = counters.nis_code

),

scopes as (

    select 'belgium' as scope_type, 'BE' as scope_id, * from located
    union all
    select 'region', region, * from located where region is not null
    union all
    select 'municipality', cast(nis_code as varchar), * from located where nis_code is not null
    union all
    select 'administration', administration_id, * from located

),

final as (

    select scope_type, scope_id, administration_level as counter_type, * exclude (scope_type, scope_id)
    from scopes
    union all
    select scope_type, scope_id, 'all', * exclude (scope_type, scope_id)
    from scopes

)

select * from final
