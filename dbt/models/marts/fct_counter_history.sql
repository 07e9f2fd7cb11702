-- SCD2 history of every observed counter: one row per state, valid from the first capture that
-- showed it until the first capture that showed the next state (null while current).

with

states as (

    select * from {{ ref('int_counter_states_collapsed') }}

),

counters as (

    select counter_id, source_id from {{ ref('stg_registry__counters') }}

),

sources as (

    select source_id, administration_id from {{ ref('stg_registry__sources') }}

),

final as (

    select
        states.counter_state_id,
        states.counter_id,
        counters.source_id,
        sources.administration_id,
        states.state_seq,
        states.state,
        states.closure_basis,
        states.closure_reason,
        states.valid_from,
        states.valid_to,
        states.is_current,
        states.last_observed_at,
        states.weekly_walk_in_minutes,
        states.weekly_appointment_minutes,
        states.weekly_total_minutes,
        states.days_open,
        states.weekdays_open,
        states.walk_in_days_open,
        states.has_out_of_hours_walk_in,
        states.hours_signature,
        states.observation_count,
        states.unconfirmed_absence_count,
        states.first_capture_id,
        states.last_capture_id,
        states.confirmed_at,
        states.confirming_capture_id

    from states
    inner join counters on counters.counter_id = states.counter_id
    left join sources on sources.source_id = counters.source_id

)

select * from final
order by counter_id, valid_from
