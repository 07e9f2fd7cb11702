-- One row per (counter, successful capture whose page lists a counter-channel schedule matched
-- to that counter): what those schedules say about it (closures, appointment-only flag,
-- confidence) and its hours, summarised from their slots with the appointment-only flag applied.
-- int_counter_observations_classified joins it to the registry's counters (a counter the page
-- does not list is absent there).
--
-- A table of its own so that its aggregates and joins over the 7 M schedules at national scale
-- never share DuckDB's memory cap with the 8 M observations of the next model.
--
-- Incremental: a row depends only on its capture's schedules and slots; a build reads the captures
-- of load batches it has not seen, and a capture loaded again (re-parsed) first has its old rows
-- deleted.

{{ config(
    materialized='incremental',
    unique_key=['counter_id', 'capture_id'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}{{ delete_unseen_captures() }}{% endif %}",
) }}

with

captures as (

    select capture_id, load_batch
    from {{ ref('int_captures_classified') }}
    where is_successful
    {% if is_incremental() %}
        and {{ is_unseen_load_batch() }}
    {% endif %}

),

-- the schedules of the page matched to a counter (usually one per counter); only the columns
-- read here (the page's text columns would be carried through every join). Read four times:
-- rescanned each time (cheap) rather than materialized whole (7 M rows at national scale).
matched_schedules as not materialized (

    select
        schedules.counter_id,
        schedules.capture_id,
        schedules.schedule_seq,
        schedules.is_appointment_only,
        schedules.closure_status,
        schedules.closure_reason,
        schedules.confidence

    from {{ ref('stg_collector__schedules') }} as schedules
    semi join captures on captures.capture_id = schedules.capture_id
    where schedules.channel = 'counter' and schedules.counter_id is not null

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

-- Fast path: each schedule's slots summarised once (int_schedule_slot_summaries), before any
-- join at slot grain; the appointment-only flag is applied afterwards (all its minutes become
-- appointment minutes, every slot reads "appointment" in the signature).
schedule_summary as not materialized (

    select * from {{ ref('int_schedule_slot_summaries') }}
    {% if is_incremental() %}where capture_id in (select capture_id from captures){% endif %}

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
    -- The slots of the exact pairs' captures only, filtered in the scan: joined whole, every one of
    -- the 48 M national slots went through the staging projection first (a week: 4.2 s -> 1.2 s,
    -- a full build 16.4 s -> 12.2 s; the same rows).
    inner join (
        select * from {{ ref('stg_collector__schedule_slots') }}
        where capture_id in (select capture_id from exact_pairs)
    ) as slots
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

final as (

    select
        matched_summary.counter_id,
        matched_summary.capture_id,
        matched_summary.matched_schedule_count,
        matched_summary.has_permanent_closure,
        matched_summary.has_temporary_closure,
        matched_summary.has_appointment_only_flag,
        matched_summary.closure_reason,
        matched_summary.has_confident_reading,
        slot_summary.walk_in_slot_count,
        slot_summary.appointment_slot_count,
        slot_summary.weekly_walk_in_minutes,
        slot_summary.weekly_appointment_minutes,
        slot_summary.days_open,
        slot_summary.weekdays_open,
        slot_summary.walk_in_days_open,
        slot_summary.has_out_of_hours_walk_in,
        slot_summary.hours_signature,
        captures.load_batch

    from matched_summary
    inner join captures on captures.capture_id = matched_summary.capture_id
    left join slot_summary
        on slot_summary.counter_id = matched_summary.counter_id
        and slot_summary.capture_id = matched_summary.capture_id

)

select * from final
