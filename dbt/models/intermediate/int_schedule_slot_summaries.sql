-- One row per (capture, schedule) with at least one published slot: the schedule's slots
-- summarised (counts, minutes, days, out-of-hours walk-in, fingerprints of the hours), as
-- published; int_counter_capture_matches applies the appointment-only flag on top.
--
-- A table of its own so that the one pass over every slot (48 M at national scale, a hash
-- aggregate of about 2 GiB) never shares DuckDB's memory cap with the joins of the observations.
--
-- Incremental: a row depends only on its capture's slots; a build reads the captures of load
-- batches it has not seen, and a capture loaded again (re-parsed) first has its old rows deleted.

{{ config(
    materialized='incremental',
    unique_key=['capture_id', 'schedule_seq'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}{{ delete_unseen_captures() }}{% endif %}",
) }}

with

captures as (

    select capture_id, load_batch
    from {{ ref('int_captures_classified') }}
    {% if is_incremental() %}
    where {{ is_unseen_load_batch() }}
    {% endif %}

),

slots as (

    select * from {{ ref('stg_collector__schedule_slots') }}
    {% if is_incremental() %}where capture_id in (select capture_id from captures){% endif %}

),

-- days as bit masks (Monday = bit 0): counting bits is much cheaper than count(distinct)
summary as (

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
        bit_or(1 << ({{ day_number('day_code') }} - 1)) as day_mask,
        coalesce(bit_or(1 << ({{ day_number('day_code') }} - 1)) filter (where access = 'walk_in'), 0)
            as walk_in_day_mask,
        coalesce(bool_or(
            access = 'walk_in' and {{ is_out_of_hours('day_code', 'closes_minute') }}
        ), false) as has_out_of_hours_walk_in,
        -- an order-independent fingerprint of the published hours: equal hours, equal value
        {{ hours_fingerprint('day_code', 'opens', 'closes', 'access') }} as hours_signature,
        -- the same hours read as all by appointment (for an appointment-only schedule)
        {{ hours_fingerprint('day_code', 'opens', 'closes', "'appointment'") }} as appointment_signature

    from slots
    group by capture_id, schedule_seq

),

final as (

    select summary.*, captures.load_batch
    from summary
    inner join captures on captures.capture_id = summary.capture_id

)

select * from final
