-- One row per capture with its outcome. Only `successful` captures (HTTP 200 and parse ok) can
-- say anything about a counter; every other outcome is *unknown*, never a closure.
--
-- Incremental: a row depends only on its capture's raw rows, and a capture loaded again (re-parsed,
-- matched again to the registry) gets a new load batch; a build reads the captures of load batches
-- it has not seen and replaces their rows.

{{ config(
    materialized='incremental',
    unique_key='capture_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

with

captures as (

    select * from {{ ref('stg_collector__captures') }}
    {% if is_incremental() %}
    where {{ is_unseen_load_batch() }}
    {% endif %}

),

-- how many counter schedules each capture listed, and how many matched a registered counter
listings as (

    select
        capture_id,
        count(*) as counter_schedule_count,
        count(counter_id) as matched_counter_count

    from {{ ref('stg_collector__schedules') }}
    where channel = 'counter'
    {% if is_incremental() %}and capture_id in (select capture_id from captures){% endif %}
    group by capture_id

),

-- how many procedures a catalogue capture listed
procedure_listings as (

    select capture_id, count(*) as procedure_count
    from {{ ref('stg_collector__procedures') }}
    {% if is_incremental() %}where capture_id in (select capture_id from captures){% endif %}
    group by capture_id

),

classified as (

    select
        capture_id,
        source_id,
        observed_at,
        http_status,
        error_class,
        parse_status,
        load_batch,
        case
            when http_status = 200 and parse_status = 'ok' then 'successful'
            when http_status is null then 'fetch_error'
            when http_status <> 200 then 'http_error'
            when parse_status = 'unavailable' then 'unavailable'
            when parse_status = 'no_data' then 'no_data'
            when parse_status = 'parse_error' then 'parse_error'
            else 'not_parsed'
        end as capture_outcome,
        coalesce(http_status = 200 and parse_status = 'ok', false) as is_successful,
        coalesce(listings.counter_schedule_count, 0) as counter_schedule_count,
        coalesce(listings.matched_counter_count, 0) as matched_counter_count,
        -- the capture can say whether registered counters are present or absent
        coalesce(http_status = 200 and parse_status = 'ok' and listings.matched_counter_count > 0, false)
            as is_counter_evidence,
        coalesce(procedure_listings.procedure_count, 0) as procedure_count,
        -- a catalogue capture says something only when it lists procedures
        coalesce(http_status = 200 and parse_status = 'ok' and procedure_listings.procedure_count > 0, false)
            as is_procedure_evidence

    from captures
    left join listings using (capture_id)
    left join procedure_listings using (capture_id)

)

select * from classified
order by source_id, observed_at, capture_id
