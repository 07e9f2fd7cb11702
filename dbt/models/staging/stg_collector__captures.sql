with

source as (

    select * from {{ source('collector', 'captures') }}

),

renamed as (

    select
        -- ids
        cast(capture_id as varchar) as capture_id,
        cast(source_id as varchar) as source_id,

        -- urls
        cast(url as varchar) as page_url,
        cast(fetch_url as varchar) as fetch_url,
        cast(final_url as varchar) as final_url,
        cast(redirect_location as varchar) as redirect_location,

        -- fetch outcome
        cast(origin as varchar) as capture_origin,
        cast(archive as varchar) as archive,
        cast(http_status as integer) as http_status,
        cast(error_class as varchar) as error_class,
        cast(content_type as varchar) as content_type,
        cast(content_length as bigint) as content_length_bytes,
        cast(content_sha256 as varchar) as content_sha256,
        cast(elapsed_ms as integer) as elapsed_ms,

        -- evidence
        cast(warc_file as varchar) as warc_file,
        cast(warc_record_id as varchar) as warc_record_id,

        -- parsing
        cast(parser as varchar) as parser,
        cast(parse_status as varchar) as parse_status,
        cast(parse_message as varchar) as parse_message,

        -- loading (incremental models read only load batches they have not seen)
        cast(coalesce(load_batch, 0) as bigint) as load_batch,
        cast(record_sha256 as varchar) as record_sha256,

        -- timestamps
        cast(observed_at as timestamp) as observed_at,
        cast(fetched_at as timestamp) as fetched_at

    from source

)

select * from renamed
