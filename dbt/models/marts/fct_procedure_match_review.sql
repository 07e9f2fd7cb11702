-- Procedure titles found on catalogues that match no taxonomy entry: kept, never dropped, and
-- listed here with their evidence for curators to extend scrapers/procedures/taxonomy.yaml.

with

unmatched as (

    select * from {{ ref('stg_collector__procedures') }}
    where procedure_key is null

),

captures as (

    select capture_id from {{ ref('int_captures_classified') }} where is_successful

),

final as (

    select
        {{ surrogate_key(['unmatched.source_id', 'unmatched.procedure_title']) }} as review_id,
        unmatched.source_id,
        unmatched.procedure_title,
        count(*) as capture_count,
        min(unmatched.observed_at) as first_seen_at,
        max(unmatched.observed_at) as last_seen_at,
        arg_max(unmatched.capture_id, unmatched.observed_at) as last_capture_id

    from unmatched
    inner join captures on captures.capture_id = unmatched.capture_id
    group by unmatched.source_id, unmatched.procedure_title

)

select * from final
order by source_id, procedure_title
