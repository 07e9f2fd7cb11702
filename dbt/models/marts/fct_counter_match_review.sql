-- Reception points found on successfully read pages that the identity rules could not attach
-- to a registered counter (scrapers/registry/identity.py): `unmatched` (no registered counter fits) or
-- `ambiguous` (several fit, or the counter was already taken on the same page). They are never
-- guessed into a counter's history; this list is for curators to extend the registry.

with

schedules as (

    select * from {{ ref('stg_collector__schedules') }}
    where channel = 'counter' and counter_id is null

),

captures as (

    select capture_id, source_id, observed_at
    from {{ ref('int_captures_classified') }}
    where is_successful

),

found as (

    select
        schedules.source_id,
        schedules.match_rule,
        coalesce(schedules.schedule_name, '') as schedule_name,
        coalesce(schedules.schedule_address, '') as schedule_address,
        captures.capture_id,
        captures.observed_at

    from schedules
    inner join captures on captures.capture_id = schedules.capture_id

),

final as (

    select
        {{ surrogate_key(['source_id', 'match_rule', 'schedule_name', 'schedule_address']) }} as review_id,
        source_id,
        match_rule,
        nullif(schedule_name, '') as schedule_name,
        nullif(schedule_address, '') as schedule_address,
        count(*) as capture_count,
        min(observed_at) as first_seen_at,
        max(observed_at) as last_seen_at,
        arg_max(capture_id, observed_at) as last_capture_id

    from found
    group by source_id, match_rule, schedule_name, schedule_address

)

select * from final
order by source_id, match_rule, schedule_name, schedule_address
