-- One row per registered counter: registry facts, its administration, when it was observed and
-- its current state (as of the last successful capture in the data).

with

counters as (

    select * from {{ ref('stg_registry__counters') }}

),

sources as (

    select * from {{ ref('stg_registry__sources') }}

),

administrations as (

    select * from {{ ref('stg_registry__administrations') }}

),

observations as (

    select * from {{ ref('int_counter_observations_classified') }}

),

current_states as (

    select * from {{ ref('fct_counter_history') }}
    where is_current

),

observation_summary as (

    select
        counter_id,
        count(*) as observation_count,
        min(observed_at) as first_observed_at,
        max(observed_at) as last_observed_at,
        min(observed_at) filter (where is_listed) as first_seen_at,
        max(observed_at) filter (where is_listed) as last_seen_at,
        arg_max(observed_state, observed_at) as latest_observed_state,
        arg_max(capture_id, observed_at) as latest_capture_id

    from observations
    group by counter_id

),

final as (

    select
        counters.counter_id,
        counters.counter_name,
        counters.counter_address,
        counters.nis_code,
        counters.postcode,
        counters.latitude,
        counters.longitude,
        counters.phone,
        counters.booking_url,
        counters.languages_served,
        counters.procedure_keys,
        counters.source_id,
        sources.source_language,
        sources.administration_id,
        administrations.administration_name_fr,
        administrations.administration_name_nl,
        administrations.administration_level,
        administrations.region,
        coalesce(observation_summary.observation_count, 0) as observation_count,
        observation_summary.first_observed_at,
        observation_summary.last_observed_at,
        observation_summary.first_seen_at,
        observation_summary.last_seen_at,
        coalesce(current_states.state, 'unobserved') as current_state,
        current_states.counter_state_id as current_counter_state_id,
        current_states.valid_from as current_state_since,
        current_states.weekly_walk_in_minutes as current_weekly_walk_in_minutes,
        current_states.weekly_appointment_minutes as current_weekly_appointment_minutes,
        current_states.weekly_total_minutes as current_weekly_total_minutes,
        current_states.days_open as current_days_open,
        observation_summary.latest_observed_state,
        observation_summary.latest_capture_id,
        coalesce(
            observation_summary.latest_observed_state = 'absent'
                and current_states.state not in (select state from {{ ref('counter_states') }} where is_off_page),
            false
        ) as is_absence_pending

    from counters
    left join sources on sources.source_id = counters.source_id
    left join administrations on administrations.administration_id = sources.administration_id
    left join observation_summary on observation_summary.counter_id = counters.counter_id
    left join current_states on current_states.counter_id = counters.counter_id

)

select * from final
order by counter_id
