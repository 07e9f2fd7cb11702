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
    pre_hook="{% if is_incremental() %}delete from {{ this }} where capture_id in (select capture_id from "
        ~ "{{ ref('int_captures_classified') }} where load_batch > (select coalesce(max(load_batch), -1) "
        ~ "from {{ this }})){% else %}checkpoint{% endif %}",
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
    where load_batch > (select coalesce(max(load_batch), -1) from {{ this }})
        or exists (
            select 1 from registered_counters
            where counter_id not in (select distinct counter_id from {{ this }})
        )

),
{% endif %}

counter_schedules as (

    select *
    from {{ ref('stg_collector__schedules') }}
    where channel = 'counter'
    {% if is_incremental() %}and capture_id in (select capture_id from scope){% endif %}

),

slots as (

    select * from {{ ref('stg_collector__schedule_slots') }}
    {% if is_incremental() %}where capture_id in (select capture_id from scope){% endif %}

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
    where listing_captures.load_batch > (select coalesce(max(load_batch), -1) from {{ this }})
        or registered_counters.counter_id not in (select distinct counter_id from {{ this }})
    {% endif %}

),

-- the schedules of the page matched to this counter (usually one)
matched_schedules as (

    select
        observations.counter_id,
        observations.capture_id,
        counter_schedules.schedule_seq,
        counter_schedules.is_appointment_only,
        counter_schedules.closure_status,
        counter_schedules.closure_reason,
        counter_schedules.confidence

    from observations
    inner join counter_schedules
        on counter_schedules.capture_id = observations.capture_id
        and counter_schedules.counter_id = observations.counter_id

),

matched_summary as (

    select
        counter_id,
        capture_id,
        count(*) as matched_schedule_count,
        bool_or(closure_status = 'permanent') as has_permanent_closure,
        bool_or(closure_status = 'temporary') as has_temporary_closure,
        bool_or(coalesce(is_appointment_only, false)) as has_appointment_only_flag,
        -- one reason (several schedules for one counter on one page are rare): no ordered string_agg
        min(closure_reason) as closure_reason,
        bool_or(confidence >= {{ var('min_reading_confidence') }}) as has_confident_reading

    from matched_schedules
    group by counter_id, capture_id

),

-- Fast path: each schedule's slots summarised once, in one pass over the slot table, before
-- any join at slot grain; the appointment-only flag is applied afterwards (all its minutes
-- become appointment minutes, every slot reads "appointment" in the signature).
schedule_summary as (

    select
        capture_id,
        schedule_seq,
        count(*) filter (where access = 'walk_in') as walk_in_slot_count,
        count(*) filter (where access = 'appointment') as appointment_slot_count,
        count(*) as slot_count,
        coalesce(sum(greatest(closes_minute - opens_minute, 0)) filter (where access = 'walk_in'), 0)
            as walk_in_minutes,
        coalesce(sum(greatest(closes_minute - opens_minute, 0)) filter (where access = 'appointment'), 0)
            as appointment_minutes,
        -- days as a bit mask (Monday = bit 0): counting bits is much cheaper than count(distinct)
        bit_or(1 << ({{ day_number('day_code') }} - 1)) as day_mask,
        coalesce(bit_or(1 << ({{ day_number('day_code') }} - 1)) filter (where access = 'walk_in'), 0)
            as walk_in_day_mask,
        coalesce(bool_or(
            access = 'walk_in' and {{ is_out_of_hours('day_code', 'closes_minute') }}
        ), false) as has_out_of_hours_walk_in,
        -- an order-independent fingerprint of the published hours: equal hours, equal value
        {{ hours_fingerprint('day_code', 'opens', 'closes', 'access') }} as hours_signature,
        {{ hours_fingerprint('day_code', 'opens', 'closes', "'appointment'") }} as appointment_signature

    from slots
    group by capture_id, schedule_seq

),

-- the rare (counter, capture) pairs the fast path cannot summarise exactly: several schedules
-- matched to one counter, or an appointment-only schedule that also lists walk-in slots (the
-- flag can make two slots one). Parsers never publish the same slot twice in one schedule.
exact_pairs as (

    select matched_schedules.counter_id, matched_schedules.capture_id
    from matched_schedules
    left join schedule_summary
        on schedule_summary.capture_id = matched_schedules.capture_id
        and schedule_summary.schedule_seq = matched_schedules.schedule_seq
    group by matched_schedules.counter_id, matched_schedules.capture_id
    having count(*) > 1 or bool_or(
        coalesce(matched_schedules.is_appointment_only, false)
        and schedule_summary.walk_in_slot_count > 0 and schedule_summary.appointment_slot_count > 0
    )

),

fast_slot_summary as (

    select
        matched_schedules.counter_id,
        matched_schedules.capture_id,
        case when flag then 0 else schedule_summary.walk_in_slot_count end as walk_in_slot_count,
        case when flag then schedule_summary.slot_count else schedule_summary.appointment_slot_count end
            as appointment_slot_count,
        case when flag then 0 else schedule_summary.walk_in_minutes end as weekly_walk_in_minutes,
        case when flag then schedule_summary.walk_in_minutes + schedule_summary.appointment_minutes
            else schedule_summary.appointment_minutes end as weekly_appointment_minutes,
        bit_count(schedule_summary.day_mask) as days_open,
        bit_count(schedule_summary.day_mask & 31) as weekdays_open,
        case when flag then 0 else bit_count(schedule_summary.walk_in_day_mask) end as walk_in_days_open,
        case when flag then false else schedule_summary.has_out_of_hours_walk_in end as has_out_of_hours_walk_in,
        case when flag then schedule_summary.appointment_signature else schedule_summary.hours_signature end
            as hours_signature

    from (
        select *, coalesce(is_appointment_only, false) as flag from matched_schedules
    ) as matched_schedules
    inner join schedule_summary
        on schedule_summary.capture_id = matched_schedules.capture_id
        and schedule_summary.schedule_seq = matched_schedules.schedule_seq
    anti join exact_pairs
        on exact_pairs.counter_id = matched_schedules.counter_id
        and exact_pairs.capture_id = matched_schedules.capture_id

),

-- the counter's slots, with the schedule's appointment-only flag applied to every slot;
-- identical slots published twice are counted once
effective_slots as (

    select distinct
        matched_schedules.counter_id,
        matched_schedules.capture_id,
        slots.day_code,
        {{ day_number('slots.day_code') }} as day_number,
        slots.opens,
        slots.closes,
        slots.opens_minute,
        slots.closes_minute,
        case
            when coalesce(matched_schedules.is_appointment_only, false) then 'appointment'
            else slots.access
        end as effective_access

    from matched_schedules
    inner join exact_pairs
        on exact_pairs.counter_id = matched_schedules.counter_id
        and exact_pairs.capture_id = matched_schedules.capture_id
    -- the view itself, not the `slots` CTE: a CTE read twice is materialized whole (48 M rows at
    -- national scale), read once it streams
    inner join {{ ref('stg_collector__schedule_slots') }} as slots
        on slots.capture_id = matched_schedules.capture_id
        and slots.schedule_seq = matched_schedules.schedule_seq

),

exact_slot_summary as (

    select
        counter_id,
        capture_id,
        count(*) filter (where effective_access = 'walk_in') as walk_in_slot_count,
        count(*) filter (where effective_access = 'appointment') as appointment_slot_count,
        coalesce(sum(greatest(closes_minute - opens_minute, 0))
            filter (where effective_access = 'walk_in'), 0) as weekly_walk_in_minutes,
        coalesce(sum(greatest(closes_minute - opens_minute, 0))
            filter (where effective_access = 'appointment'), 0) as weekly_appointment_minutes,
        count(distinct day_code) as days_open,
        count(distinct day_code) filter (where day_number <= 5) as weekdays_open,
        count(distinct day_code) filter (where effective_access = 'walk_in') as walk_in_days_open,
        -- indicator 7: a walk-in interval ending after 17:30 on a weekday, or on a Saturday
        coalesce(bool_or(
            effective_access = 'walk_in'
            and {{ is_out_of_hours('day_code', 'closes_minute') }}
        ), false) as has_out_of_hours_walk_in,
        -- the same fingerprint as the fast path, over the distinct effective slots
        {{ hours_fingerprint('day_code', 'opens', 'closes', 'effective_access') }} as hours_signature

    from effective_slots
    group by counter_id, capture_id

),

slot_summary as (

    select * from fast_slot_summary
    union all by name
    select * from exact_slot_summary

),

classified as (

    select
        observations.counter_id,
        observations.source_id,
        observations.capture_id,
        observations.observed_at,
        observations.load_batch,
        observations.listed_schedule_count,
        coalesce(matched_summary.matched_schedule_count, 0) as matched_schedule_count,

        case
            when matched_summary.capture_id is null then 'absent'
            when matched_summary.has_permanent_closure then 'closed_permanent'
            when matched_summary.has_temporary_closure then 'closed_temporary'
            when coalesce(slot_summary.walk_in_slot_count, 0) > 0 then 'open'
            when coalesce(slot_summary.appointment_slot_count, 0) > 0
                or matched_summary.has_appointment_only_flag then 'appointment_only'
            else 'no_hours'
        end as observed_state,

        matched_summary.closure_reason,
        slot_summary.walk_in_slot_count,
        slot_summary.appointment_slot_count,
        slot_summary.weekly_walk_in_minutes,
        slot_summary.weekly_appointment_minutes,
        slot_summary.days_open,
        slot_summary.weekdays_open,
        slot_summary.walk_in_days_open,
        slot_summary.has_out_of_hours_walk_in,
        slot_summary.hours_signature

    from observations
    left join matched_summary
        on matched_summary.counter_id = observations.counter_id
        and matched_summary.capture_id = observations.capture_id
    left join slot_summary
        on slot_summary.counter_id = observations.counter_id
        and slot_summary.capture_id = observations.capture_id
    -- an unsure reading of this counter is no observation of it (unknown, never absent)
    where matched_summary.capture_id is null or matched_summary.has_confident_reading

),

final as (

    select
        {{ surrogate_key(['counter_id', 'capture_id']) }} as counter_observation_id,
        counter_id,
        source_id,
        capture_id,
        observed_at,
        observed_state,
        observed_state in (select observed_state from {{ ref('counter_observed_states') }} where is_listed) as is_listed,
        case when observed_state in (select observed_state from {{ ref('counter_observed_states') }} where is_closed) then closure_reason end as closure_reason,
        -- hours only describe a counter that is present and not closed
        case when observed_state in (select observed_state from {{ ref('counter_observed_states') }} where is_listed and not is_closed)
            then coalesce(weekly_walk_in_minutes, 0) else 0 end as weekly_walk_in_minutes,
        case when observed_state in (select observed_state from {{ ref('counter_observed_states') }} where is_listed and not is_closed)
            then coalesce(weekly_appointment_minutes, 0) else 0 end as weekly_appointment_minutes,
        case when observed_state in (select observed_state from {{ ref('counter_observed_states') }} where is_listed and not is_closed)
            then coalesce(days_open, 0) else 0 end as days_open,
        case when observed_state in (select observed_state from {{ ref('counter_observed_states') }} where is_listed and not is_closed)
            then coalesce(weekdays_open, 0) else 0 end as weekdays_open,
        case when observed_state in (select observed_state from {{ ref('counter_observed_states') }} where is_listed and not is_closed)
            then coalesce(walk_in_days_open, 0) else 0 end as walk_in_days_open,
        case when observed_state in (select observed_state from {{ ref('counter_observed_states') }} where is_listed and not is_closed)
            then coalesce(has_out_of_hours_walk_in, false) else false end as has_out_of_hours_walk_in,
        case when observed_state in (select observed_state from {{ ref('counter_observed_states') }} where is_active)
            then hours_signature end as hours_signature,
        listed_schedule_count,
        matched_schedule_count,
        load_batch

    from classified

)

select * from final
