-- One row per change in what a procedure's channels allow, with the archived captures on either
-- side: became_online_only (no counter, telephone or post any more), digital_identity_required
-- (the only online way now needs itsme or an eID reader), counter_removed, counter_restored (a
-- counter published again after one had been removed). Becoming online-only usually also removes
-- a counter: both are recorded, each true on its own.
-- A rewording with the same channel statuses is one state, so it can never be a transition.

with

states as (

    select * from {{ ref('int_procedure_states_collapsed') }}

),

framed as (

    select
        *,
        lag(procedure_state_id) over by_track as previous_procedure_state_id,
        lag(last_capture_id) over by_track as previous_last_capture_id,
        lag(last_observed_at) over by_track as previous_observed_at,
        lag(is_online_only) over by_track as was_online_only,
        lag(requires_digital_identity) over by_track as previously_required_digital_identity,
        lag(has_counter) over by_track as had_counter,
        -- was a counter ever published before this state?
        coalesce(bool_or(has_counter) over (
            partition by procedure_track_id order by valid_from rows between unbounded preceding and 1 preceding
        ), false) as ever_had_counter

    from states
    window by_track as (partition by procedure_track_id order by valid_from)

),

transitions as (

    select 'became_online_only' as event_type, * from framed
    where is_online_only and was_online_only = false

    union all

    select 'digital_identity_required', * from framed
    where requires_digital_identity and previously_required_digital_identity = false

    union all

    select 'counter_removed', * from framed
    where not has_counter and had_counter

    union all

    select 'counter_restored', * from framed
    where has_counter and had_counter = false and ever_had_counter

),

final as (

    select
        {{ surrogate_key(['procedure_track_id', 'event_type', 'valid_from']) }} as event_id,
        procedure_track_id,
        source_id,
        administration_id,
        procedure_key,
        event_type,
        valid_from as event_at,
        cast(valid_from as date) as event_date,
        previous_observed_at,
        previous_procedure_state_id as procedure_state_id_before,
        procedure_state_id as procedure_state_id_after,
        previous_last_capture_id as before_capture_id,
        first_capture_id as after_capture_id

    from transitions

)

select * from final
order by procedure_track_id, event_at, event_type
