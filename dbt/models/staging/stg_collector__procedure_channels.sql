with

source as (

    select * from {{ source('collector', 'procedure_channels') }}

),

renamed as (

    select
        cast(capture_id as varchar) as capture_id,
        cast(procedure_seq as integer) as procedure_seq,
        cast(channel as varchar) as channel,
        cast(status as varchar) as channel_status,
        cast(evidence as varchar) as channel_evidence

    from source

)

select * from renamed
