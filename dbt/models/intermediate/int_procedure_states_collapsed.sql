-- The channel history of each (procedure catalogue, procedure): consecutive successful
-- observations with the same channel statuses collapsed into one state with a validity interval.
-- Only the statuses count: a page reworded without any change of channel stays one state.

{%- set channels = ['online', 'online_digital_identity', 'counter_walk_in', 'counter_appointment', 'phone', 'post', 'intermediary'] %}

with

observations as (

    select * from {{ ref('int_procedure_observations_classified') }}

),

boundaries as (

    select
        *,
        coalesce(
            channel_signature is distinct from lag(channel_signature) over (
                partition by procedure_track_id order by observed_at, capture_id
            ),
            true
        ) as is_new_state

    from observations

),

numbered as (

    select
        *,
        sum(case when is_new_state then 1 else 0 end) over (
            partition by procedure_track_id order by observed_at, capture_id
            rows between unbounded preceding and current row
        ) as state_seq

    from boundaries

),

collapsed as (

    select
        procedure_track_id,
        state_seq,
        any_value(source_id) as source_id,
        any_value(administration_id) as administration_id,
        any_value(procedure_key) as procedure_key,
        min(observed_at) as valid_from,
        max(observed_at) as last_observed_at,
        arg_min(capture_id, observed_at) as first_capture_id,
        arg_max(capture_id, observed_at) as last_capture_id,
        arg_min(procedure_title, observed_at) as procedure_title,
        arg_min(fee_eur, observed_at) as fee_eur,
        {%- for channel in channels %}
        arg_min({{ channel }}_status, observed_at) as {{ channel }}_status,
        arg_min({{ channel }}_evidence, observed_at) as {{ channel }}_evidence,
        {%- endfor %}
        bool_or(has_counter) as has_counter,
        bool_or(has_phone) as has_phone,
        bool_or(has_post) as has_post,
        bool_or(has_online) as has_online,
        bool_or(is_online_only) as is_online_only,
        bool_or(requires_digital_identity) as requires_digital_identity,
        bool_or(non_digital_not_stated) as non_digital_not_stated,
        bool_or(has_three_channels) as has_three_channels,
        any_value(channel_signature) as channel_signature,
        count(*) as observation_count

    from numbered
    group by procedure_track_id, state_seq

),

final as (

    select
        {{ surrogate_key(['procedure_track_id', 'valid_from']) }} as procedure_state_id,
        *,
        lead(valid_from) over (partition by procedure_track_id order by valid_from) as valid_to,
        lead(valid_from) over (partition by procedure_track_id order by valid_from) is null as is_current,
        case
            when has_three_channels then 'all_three'
            when has_counter or has_phone or has_post then 'some'
            when non_digital_not_stated then 'not_stated'
            else 'none'
        end as three_channel_status

    from collapsed

)

select * from final
order by procedure_track_id, valid_from
