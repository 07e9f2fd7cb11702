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
        cast(nis_code as integer) as nis_code

    from source

)

select * from renamed
