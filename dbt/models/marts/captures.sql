-- One row per capture behind the release, successful or not: where the page was, when it was
-- observed, where its archived copy is (public replay URL, WARC file and record) and what came of
-- it. Every *_capture_id column of every published table resolves here. The fetch URL is left
-- out: for a local archive it carries the port of a server that ran once, not evidence.

with

captures as (

    select * from {{ ref('stg_collector__captures') }}

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
        classified.capture_outcome

    from captures
    inner join classified using (capture_id)

)

-- Unlike the other marts, not sorted here: sorting its 1.6 M rows of URLs and hashes was 1.8 s of
-- every weekly build at national scale, and the release writes the table sorted by capture_id.
select * from final
