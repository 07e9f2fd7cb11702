with

source as (

    select * from {{ source('registry', 'registry_sources') }}

),

renamed as (

    select
        cast(source_id as varchar) as source_id,
        cast(administration_id as varchar) as administration_id,
        cast(kind as varchar) as source_kind,
        cast(urls as varchar) as source_urls,
        cast(language as varchar) as source_language,
        cast(parser as varchar) as parser,
        cast(cadence as varchar) as cadence

    from source

)

select * from renamed
