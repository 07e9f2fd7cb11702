with

source as (

    select * from {{ source('registry', 'registry_administrations') }}

),

renamed as (

    select
        cast(administration_id as varchar) as administration_id,
        cast(name_fr as varchar) as administration_name_fr,
        cast(name_nl as varchar) as administration_name_nl,
        cast(level as varchar) as administration_level,
        cast(region as varchar) as region,
        cast(nis_code as integer) as nis_code

    from source

)

select * from renamed
