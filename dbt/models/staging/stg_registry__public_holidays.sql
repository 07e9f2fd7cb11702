with

source as (

    select * from {{ source('registry', 'public_holidays') }}

),

renamed as (

    select
        cast(holiday_date as date) as holiday_date,
        cast(holiday_key as varchar) as holiday_key,
        cast(is_legal as boolean) as is_legal_holiday,
        cast(name_fr as varchar) as holiday_name_fr,
        cast(name_nl as varchar) as holiday_name_nl,
        cast(name_de as varchar) as holiday_name_de,
        cast(name_en as varchar) as holiday_name_en

    from source

)

select * from renamed
