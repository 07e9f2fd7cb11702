-- Per registered source: how many captures we have and how many could be read, with the last
-- successful observation. Ages are not computed: they would depend on the wall clock; compare
-- last_successful_observed_at with data_last_observed_at (the data's own horizon) instead.

with

sources as (

    select * from {{ ref('stg_registry__sources') }}

),

captures as (

    select * from {{ ref('int_captures_classified') }}

),

data_horizon as (

    select max(observed_at) as data_last_observed_at from captures

),

capture_summary as (

    select
        source_id,
        count(*) as captures_total,
        count(*) filter (where is_successful) as captures_successful,
        count(*) filter (where not is_successful) as captures_failed,
        count(*) filter (where capture_outcome = 'fetch_error') as captures_fetch_error,
        count(*) filter (where capture_outcome = 'http_error') as captures_http_error,
        count(*) filter (where capture_outcome = 'unavailable') as captures_unavailable,
        count(*) filter (where capture_outcome = 'no_data') as captures_no_data,
        count(*) filter (where capture_outcome = 'parse_error') as captures_parse_error,
        count(*) filter (where capture_outcome = 'not_parsed') as captures_not_parsed,
        min(observed_at) as first_observed_at,
        max(observed_at) as last_observed_at,
        max(observed_at) filter (where is_successful) as last_successful_observed_at,
        arg_max(capture_outcome, observed_at) as last_capture_outcome,
        max(observed_at) filter (where is_counter_evidence) as last_counter_evidence_at,
        max(observed_at) filter (where is_counter_evidence or coalesce(is_procedure_evidence, false))
            as last_evidence_at

    from captures
    group by source_id

),

-- Layout drift: the page still answers 200 but no longer yields what it used to (nothing
-- parsed, or no registered counter recognised) since its last good capture. Conclusions about
-- the source's counters are suspended: those captures are not evidence of anything.
drift as (

    select
        captures.source_id,
        min(captures.observed_at) as drift_since,
        count(*) as drift_capture_count

    from captures
    inner join capture_summary using (source_id)
    where
        captures.http_status = 200
        -- a maintenance or error page says nothing about the page's layout
        and captures.capture_outcome <> 'unavailable'
        and captures.observed_at > capture_summary.last_evidence_at
        and not (captures.is_counter_evidence or coalesce(captures.is_procedure_evidence, false))
    group by captures.source_id

),

final as (

    select
        sources.source_id,
        sources.administration_id,
        sources.source_kind,
        coalesce(capture_summary.captures_total, 0) as captures_total,
        coalesce(capture_summary.captures_successful, 0) as captures_successful,
        coalesce(capture_summary.captures_failed, 0) as captures_failed,
        coalesce(capture_summary.captures_fetch_error, 0) as captures_fetch_error,
        coalesce(capture_summary.captures_http_error, 0) as captures_http_error,
        coalesce(capture_summary.captures_unavailable, 0) as captures_unavailable,
        coalesce(capture_summary.captures_no_data, 0) as captures_no_data,
        coalesce(capture_summary.captures_parse_error, 0) as captures_parse_error,
        coalesce(capture_summary.captures_not_parsed, 0) as captures_not_parsed,
        case when capture_summary.captures_total > 0
            then round(capture_summary.captures_successful / capture_summary.captures_total, 4)
        end as success_share,
        capture_summary.first_observed_at,
        capture_summary.last_observed_at,
        capture_summary.last_successful_observed_at,
        capture_summary.last_capture_outcome,
        capture_summary.last_counter_evidence_at,
        coalesce(drift.drift_capture_count, 0) > 0 as layout_drift_flag,
        drift.drift_since,
        data_horizon.data_last_observed_at

    from sources
    cross join data_horizon
    left join capture_summary on capture_summary.source_id = sources.source_id
    left join drift on drift.source_id = sources.source_id

)

select * from final
order by source_id
