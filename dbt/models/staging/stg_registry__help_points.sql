with

source as (

    select * from {{ source('registry', 'registry_help_points') }}

),

renamed as (

    select
        cast(procedure_key as varchar) as procedure_key,
        cast(kind as varchar) as help_kind,
        cast(counter_id as varchar) as counter_id,
        cast(note as varchar) as help_note

    from source

)

select * from renamed
