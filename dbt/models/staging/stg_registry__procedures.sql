with

source as (

    select * from {{ source('registry', 'registry_procedures') }}

),

renamed as (

    select
        cast(procedure_key as varchar) as procedure_key,
        cast(label_fr as varchar) as procedure_label_fr,
        cast(label_nl as varchar) as procedure_label_nl,
        cast(label_de as varchar) as procedure_label_de,
        cast(label_en as varchar) as procedure_label_en

    from source

)

select * from renamed
