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

-- the hours of each state as a readable list, from the slots of its first capture (the state
-- key itself is a fingerprint: equal hours, equal key)
first_schedules as (

    select states.counter_state_id, schedules.capture_id, schedules.schedule_seq, schedules.is_appointment_only
    from states
    inner join {{ ref('stg_collector__schedules') }} as schedules
        on schedules.capture_id = states.first_capture_id
        and schedules.counter_id = states.counter_id
        and schedules.channel = 'counter'
    where states.state in (select state from {{ ref('counter_states') }} where is_active)

),

published_hours as (

    select
        counter_state_id,
        string_agg(distinct slot_text, '; ' order by slot_text) as published_hours

    from (
        select
            first_schedules.counter_state_id,
            -- the day number first so that the text sorts Monday to Sunday
            {{ day_number('slots.day_code') }} || ' ' || slots.day_code || ' ' || slots.opens || '-' || slots.closes
                || ' ' || case when coalesce(first_schedules.is_appointment_only, false) then 'appointment'
                    else slots.access end as slot_text
        from first_schedules
        inner join {{ ref('stg_collector__schedule_slots') }} as slots
            on slots.capture_id = first_schedules.capture_id
            and slots.schedule_seq = first_schedules.schedule_seq
    ) as texts
    group by counter_state_id

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
        regexp_replace(published_hours.published_hours, '(^|; )[1-7] ', '\1', 'g') as published_hours,
        states.observation_count,
        states.unconfirmed_absence_count,
        states.first_capture_id,
        states.last_capture_id,
        states.confirmed_at,
        states.confirming_capture_id

    from states
    inner join counters on counters.counter_id = states.counter_id
    left join published_hours on published_hours.counter_state_id = states.counter_state_id
    left join sources on sources.source_id = counters.source_id

)

select * from final
order by counter_id, valid_from
