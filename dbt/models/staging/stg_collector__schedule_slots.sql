with

source as (

    select * from {{ source('collector', 'schedule_slots') }}

),

renamed as (

    select
        -- ids
        cast(capture_id as varchar) as capture_id,
        cast(schedule_seq as integer) as schedule_seq,

        -- slot
        cast(day as varchar) as day_code,
        cast(opens as varchar) as opens,
        cast(closes as varchar) as closes,
        cast(access as varchar) as access,

        -- the same times cast to minutes of the day
        {{ hhmm_to_minute('opens') }} as opens_minute,
        {{ hhmm_to_minute('closes') }} as closes_minute

    from source

)

select * from renamed
