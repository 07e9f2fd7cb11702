-- One row per (registered counter, successful capture of its source whose page lists at least
-- one counter-channel schedule): what that capture says about the counter.
--
-- Failed captures are not here at all (unknown, never closed). A successful capture that lists
-- only phone lines says nothing about physical counters and is left out too.
-- Only channel = 'counter' schedules count; phone lines are never counter hours.
-- A reading below var('min_reading_confidence') is unknown for its counter (no observation), and
-- only a page with at least one confident reading of a registered counter can show another absent.
--
-- Incremental: an observation depends only on its capture and the registry, so a build reads
-- only captures of load batches it has not seen (and every capture for a counter new to the
-- registry). A capture loaded again (re-parsed) first has its old observations deleted.

{{ config(
    materialized='incremental',
    unique_key='counter_observation_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}{{ delete_unseen_captures() }}{% else %}checkpoint{% endif %}",
) }}

with

successful_captures as (

    select capture_id, source_id, observed_at, load_batch
    from {{ ref('int_captures_classified') }}
    where is_successful

),

registered_counters as (

    select counter_id, source_id
    from {{ ref('stg_registry__counters') }}

),

{% if is_incremental() %}
-- what this build reads: the captures of unseen load batches, or everything when the registry
-- gained a counter (its past captures are all new to this model)
scope as (

    select capture_id from successful_captures
    where {{ is_unseen_load_batch() }}
        or exists (
            select 1 from registered_counters
            where counter_id not in (select distinct counter_id from {{ this }})
        )

),
{% endif %}

-- only the columns read here: the page's text columns (evidence, regimes, exceptions) would
-- be carried through the aggregate
counter_schedules as (

    select capture_id, counter_id, confidence
    from {{ ref('stg_collector__schedules') }}
    where channel = 'counter'
    {% if is_incremental() %}and capture_id in (select capture_id from scope){% endif %}

),

-- captures whose page lists reception points and recognises at least one registered counter:
-- only these can show a counter as absent. A page whose offices all fail to match the registry
-- (renamed, redesigned) is layout drift, flagged in fct_source_coverage, never N closures.
listing_captures as (

    select
        successful_captures.capture_id,
        successful_captures.source_id,
        successful_captures.observed_at,
        successful_captures.load_batch,
        count(*) as listed_schedule_count

    from successful_captures
    inner join counter_schedules
        on counter_schedules.capture_id = successful_captures.capture_id
    group by all
    having count(counter_schedules.counter_id)
        filter (where counter_schedules.confidence >= {{ var('min_reading_confidence') }}) > 0

),

observations as (

    select
        registered_counters.counter_id,
        listing_captures.source_id,
        listing_captures.capture_id,
        listing_captures.observed_at,
        listing_captures.load_batch,
        listing_captures.listed_schedule_count

    from registered_counters
    inner join listing_captures
        on listing_captures.source_id = registered_counters.source_id
    {% if is_incremental() %}
    where {{ is_unseen_load_batch('listing_captures.load_batch') }}
        or registered_counters.counter_id not in (select distinct counter_id from {{ this }})
    {% endif %}

),

-- what the page's schedules say about each counter they were matched to (int_counter_capture_matches)
matches as (

    select * from {{ ref('int_counter_capture_matches') }}
    {% if is_incremental() %}where capture_id in (select capture_id from scope){% endif %}

),

classified as (

    select
        observations.counter_id,
        observations.source_id,
        observations.capture_id,
        observations.observed_at,
        observations.load_batch,
        observations.listed_schedule_count,
        coalesce(matches.matched_schedule_count, 0) as matched_schedule_count,

        case
            when matches.capture_id is null then 'absent'
            when matches.has_permanent_closure then 'closed_permanent'
            when matches.has_temporary_closure then 'closed_temporary'
            when coalesce(matches.walk_in_slot_count, 0) > 0 then 'open'
            when coalesce(matches.appointment_slot_count, 0) > 0
                or matches.has_appointment_only_flag then 'appointment_only'
            else 'no_hours'
        end as observed_state,

        matches.closure_reason,
        matches.walk_in_slot_count,
        matches.appointment_slot_count,
        matches.weekly_walk_in_minutes,
        matches.weekly_appointment_minutes,
        matches.days_open,
        matches.weekdays_open,
        matches.walk_in_days_open,
        matches.has_out_of_hours_walk_in,
        matches.hours_signature

    from observations
    left join matches
        on matches.counter_id = observations.counter_id
        and matches.capture_id = observations.capture_id
    -- an unsure reading of this counter is no observation of it (unknown, never absent)
    where matches.capture_id is null or matches.has_confident_reading

),

final as (

    select
        {{ surrogate_key(['counter_id', 'capture_id']) }} as counter_observation_id,
        counter_id,
        source_id,
        capture_id,
        observed_at,
        observed_state,
        coalesce(states.is_listed, false) as is_listed,
        case when states.is_closed then closure_reason end as closure_reason,
        -- hours only describe a counter that is present and not closed
        case when states.is_listed and not states.is_closed
            then coalesce(weekly_walk_in_minutes, 0) else 0 end as weekly_walk_in_minutes,
        case when states.is_listed and not states.is_closed
            then coalesce(weekly_appointment_minutes, 0) else 0 end as weekly_appointment_minutes,
        case when states.is_listed and not states.is_closed
            then coalesce(days_open, 0) else 0 end as days_open,
        case when states.is_listed and not states.is_closed
            then coalesce(weekdays_open, 0) else 0 end as weekdays_open,
        case when states.is_listed and not states.is_closed
            then coalesce(walk_in_days_open, 0) else 0 end as walk_in_days_open,
        case when states.is_listed and not states.is_closed
            then coalesce(has_out_of_hours_walk_in, false) else false end as has_out_of_hours_walk_in,
        case when states.is_active
            then hours_signature end as hours_signature,
        listed_schedule_count,
        matched_schedule_count,
        load_batch

    from classified
    -- the state's flags, joined once: nine `in (select ...)` tests each probed every observation
    left join {{ ref('counter_observed_states') }} as states using (observed_state)

)

select * from final
