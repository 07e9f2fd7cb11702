-- One row per registered administration, with the size of what we track for it.

with

administrations as (

    select * from {{ ref('stg_registry__administrations') }}

),

sources as (

    select * from {{ ref('stg_registry__sources') }}

),

counters as (

    select * from {{ ref('stg_registry__counters') }}

),

source_counts as (

    select
        sources.administration_id,
        count(distinct sources.source_id) as source_count,
        count(distinct sources.source_id) filter (where sources.source_kind = 'opening_hours')
            as opening_hours_source_count,
        count(distinct counters.counter_id) as counter_count

    from sources
    left join counters on counters.source_id = sources.source_id
    group by sources.administration_id

),

final as (

    select
        administrations.administration_id,
        administrations.administration_name_fr,
        administrations.administration_name_nl,
        administrations.administration_level,
        administrations.region,
        administrations.nis_code,
        coalesce(source_counts.source_count, 0) as source_count,
        coalesce(source_counts.opening_hours_source_count, 0) as opening_hours_source_count,
        coalesce(source_counts.counter_count, 0) as counter_count

    from administrations
    left join source_counts on source_counts.administration_id = administrations.administration_id

)

select * from final
order by administration_id
