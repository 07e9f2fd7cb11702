-- The three-channel guarantee (indicator 11) per authority and month: do its tracked procedures
-- publish physical reception, telephone and post? On 25 September 2025 the Constitutional Court
-- (judgment 126/2025) held that under the Brussels "Bruxelles numérique" ordinance the three
-- non-digital alternatives are cumulative: for Brussels authorities this is a legal obligation,
-- elsewhere a benchmark (is_legal_scope says which).

with

monthly as (

    select * from {{ ref('fct_procedure_states_monthly') }}

),

administrations as (

    select administration_id, region from {{ ref('stg_registry__administrations') }}

),

counted as (

    select
        administration_id,
        month_start,
        any_value(month_end) as month_end,
        count(*) as tracked_procedures,
        count(*) filter (where three_channel_status = 'all_three') as all_three_procedures,
        count(*) filter (where three_channel_status = 'some') as some_channels_procedures,
        count(*) filter (where three_channel_status = 'none') as no_channel_procedures,
        count(*) filter (where three_channel_status = 'not_stated') as not_stated_procedures

    from monthly
    group by administration_id, month_start

),

final as (

    select
        {{ surrogate_key(['counted.administration_id', 'counted.month_start']) }} as guarantee_id,
        counted.*,
        case
            when all_three_procedures = tracked_procedures then 'compliant'
            when all_three_procedures + some_channels_procedures > 0 then 'partial'
            when no_channel_procedures > 0 then 'none'
            else 'not_stated'
        end as guarantee_status,
        administrations.region = 'brussels' as is_legal_scope,
        case when administrations.region = 'brussels'
            then 'legal obligation: Constitutional Court judgment 126/2025 (Bruxelles numérique ordinance)'
            else 'benchmark: no legal obligation of the three channels outside Brussels'
        end as scope_note

    from counted
    left join administrations on administrations.administration_id = counted.administration_id

)

select * from final
order by administration_id, month_start
