with

source as (

    select * from {{ source('collector', 'procedures') }}

),

renamed as (

    select
        -- ids
        cast(capture_id as varchar) as capture_id,
        cast(procedure_seq as integer) as procedure_seq,
        cast(source_id as varchar) as source_id,
        cast(procedure_key as varchar) as procedure_key,

        -- as published
        cast(title as varchar) as procedure_title,
        cast(match_rule as varchar) as match_rule,
        cast(fee_text as varchar) as fee_text,
        cast(fee_eur as double) as fee_eur,
        cast(evidence as varchar) as evidence,
        cast(confidence as double) as confidence,

        -- timestamps
        cast(observed_at as timestamp) as observed_at

    from source

)

select * from renamed
