-- SCD2 history of the channels of every tracked (catalogue, procedure): one row per state,
-- valid from the first capture that showed it until the first capture that showed the next.

with

states as (

    select * from {{ ref('int_procedure_states_collapsed') }}

),

final as (

    select
        procedure_state_id,
        procedure_track_id,
        source_id,
        administration_id,
        procedure_key,
        procedure_title,
        state_seq,
        valid_from,
        valid_to,
        is_current,
        last_observed_at,
        online_status,
        online_digital_identity_status,
        counter_walk_in_status,
        counter_appointment_status,
        phone_status,
        post_status,
        intermediary_status,
        has_counter,
        has_phone,
        has_post,
        is_online_only,
        requires_digital_identity,
        non_digital_not_stated,
        three_channel_status,
        fee_eur,
        online_evidence,
        online_digital_identity_evidence,
        counter_walk_in_evidence,
        counter_appointment_evidence,
        phone_evidence,
        post_evidence,
        intermediary_evidence,
        observation_count,
        first_capture_id,
        last_capture_id

    from states

)

select * from final
order by procedure_track_id, valid_from
