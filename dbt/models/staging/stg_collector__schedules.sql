with

source as (

    select * from {{ source('collector', 'schedules') }}

),

renamed as (

    select
        -- ids
        cast(capture_id as varchar) as capture_id,
        cast(schedule_seq as integer) as schedule_seq,
        cast(source_id as varchar) as source_id,
        cast(counter_id as varchar) as counter_id,

        -- matching
        cast(match_rule as varchar) as match_rule,

        -- as published
        cast(name as varchar) as schedule_name,
        cast(address as varchar) as schedule_address,
        cast(channel as varchar) as channel,
        cast(appointment_only as boolean) as is_appointment_only,
        cast(closed as varchar) as closure_status,
        cast(closed_reason as varchar) as closure_reason,

        -- parsing
        cast(layout as varchar) as layout,
        cast(confidence as double) as confidence,
        cast(evidence as varchar) as evidence,
        cast(weekly_walk_in_minutes as integer) as parser_weekly_walk_in_minutes,
        cast(weekly_appointment_minutes as integer) as parser_weekly_appointment_minutes,

        -- timestamps
        cast(observed_at as timestamp) as observed_at

    from source

)

select * from renamed
