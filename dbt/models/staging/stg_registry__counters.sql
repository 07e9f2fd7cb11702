with

source as (

    select * from {{ source('registry', 'registry_counters') }}

),

renamed as (

    select
        cast(counter_id as varchar) as counter_id,
        cast(source_id as varchar) as source_id,
        cast(name as varchar) as counter_name,
        cast(address as varchar) as counter_address,
        cast(nis_code as integer) as nis_code,
        cast(postcode as varchar) as postcode,
        cast(latitude as double) as latitude,
        cast(longitude as double) as longitude,
        cast(phone as varchar) as phone,
        cast(booking_url as varchar) as booking_url,
        cast(languages as varchar) as languages_served,
        cast(procedures as varchar) as procedure_keys

    from source

)

select * from renamed
