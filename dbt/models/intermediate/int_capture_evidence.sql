-- One row per capture, successful or not: where the page was, when it was observed, where its
-- archived copy is (public replay URL, WARC file and record) and what came of it. Published as
-- the captures mart (without load_batch), which every *_capture_id column of every published
-- table resolves in. The fetch URL is left out: for a local archive it carries the port of a
-- server that ran once, not evidence.
--
-- Incremental: a row depends only on its capture (and its outcome in int_captures_classified,
-- built per capture the same way), and a capture loaded again (re-parsed) gets a new load batch;
-- a build reads the captures of load batches it has not seen and replaces their rows. A national
-- week's build writes 4,000 rows instead of 1.6 M (4.4 s).

{{ config(
    materialized='incremental',
    unique_key='capture_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

with

captures as (

    select * from {{ ref('stg_collector__captures') }}
    {% if is_incremental() %}
    where {{ is_unseen_load_batch() }}
    {% endif %}

),

classified as (

    select capture_id, capture_outcome from {{ ref('int_captures_classified') }}

),

final as (

    select
        captures.capture_id,
        captures.source_id,
        captures.page_url,
        captures.observed_at,
        captures.capture_origin,
        captures.archive,
        {{ archive_replay_url('captures.capture_origin', 'captures.archive', 'captures.page_url',
                              'captures.observed_at') }} as replay_url,
        -- the path under the evidence store, which is also where the release publishes it (warc/)
        regexp_replace(captures.warc_file, '^evidence/warc/', '') as warc_file,
        captures.warc_record_id,
        captures.content_sha256,
        captures.record_sha256,
        captures.http_status,
        classified.capture_outcome,
        captures.load_batch

    from captures
    inner join classified using (capture_id)

)

select * from final
