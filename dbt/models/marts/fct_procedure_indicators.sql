-- Per administration and month (state at month end): how many tracked procedures can no longer
-- be done anywhere but online (indicator 10), how many need a digital identity to be done online,
-- and how many publish all of counter, telephone and post (indicator 11). "Channel not stated"
-- is counted apart, never as absent. As published, not as experienced.

with

monthly as (

    select * from {{ ref('fct_procedure_states_monthly') }}

),

final as (

    select
        {{ surrogate_key(['administration_id', 'month_start']) }} as procedure_indicator_id,
        administration_id,
        month_start,
        any_value(month_end) as month_end,
        count(*) as tracked_procedures,
        count(*) filter (where is_online_only) as online_only_procedures,
        round(count(*) filter (where is_online_only) / count(*), 4) as online_only_share,
        count(*) filter (where requires_digital_identity) as digital_identity_procedures,
        round(count(*) filter (where requires_digital_identity) / count(*), 4) as digital_identity_share,
        count(*) filter (where has_counter) as counter_procedures,
        count(*) filter (where three_channel_status = 'all_three') as three_channel_procedures,
        round(count(*) filter (where three_channel_status = 'all_three') / count(*), 4) as three_channel_share,
        count(*) filter (where non_digital_not_stated) as channel_not_stated_procedures

    from monthly
    group by administration_id, month_start

)

select * from final
order by administration_id, month_start
