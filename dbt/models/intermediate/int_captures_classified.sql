-- One row per capture with its outcome. Only `successful` captures (HTTP 200 and parse ok) can
-- say anything about a counter; every other outcome is *unknown*, never a closure.

with

captures as (

    select * from {{ ref('stg_collector__captures') }}

),

classified as (

    select
        capture_id,
        source_id,
        observed_at,
        http_status,
        error_class,
        parse_status,
        case
            when http_status = 200 and parse_status = 'ok' then 'successful'
            when http_status is null then 'fetch_error'
            when http_status <> 200 then 'http_error'
            when parse_status = 'no_data' then 'no_data'
            when parse_status = 'parse_error' then 'parse_error'
            else 'not_parsed'
        end as capture_outcome,
        coalesce(http_status = 200 and parse_status = 'ok', false) as is_successful

    from captures

)

select * from classified
order by source_id, observed_at, capture_id
