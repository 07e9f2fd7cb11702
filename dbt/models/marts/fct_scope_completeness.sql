-- How complete the tracked universe of counters is, per indicator scope and counter type: the
-- condition for publishing a per-capita indicator (docs/indicators.md). Dividing the hours of
-- the counters we track by the population of a whole scope measures how many counters we
-- track, not access, unless every counter of that kind in the scope is tracked.
--
-- The universe is enumerable only for communal counters (`commune`, `cpas`): every commune has
-- one commune administration and one CPAS, listed by the geography (dim_municipality, communes in
-- force today). A scope is complete for such a type when every one of its communes has at least
-- one registered counter of the type; an administration scope is complete when the administration
-- is one commune's own. The other types (federal, regional, union, mutuality) and `all` have no
-- reference list of their counters: their per-capita figures are never published.

with

scopes as (

    select distinct scope_type, scope_id, counter_type from {{ ref('int_counter_scopes') }}

),

municipalities as (

    select nis_code, region, population from {{ ref('dim_municipality') }}
    where is_current

),

administrations as (

    select * from {{ ref('dim_administration') }}

),

-- current communes with at least one registered counter of each communal type
tracked_communes as (

    select distinct administration_level as counter_type, nis_code
    from {{ ref('int_counter_scopes') }}
    where administration_level in ('commune', 'cpas') and nis_code is not null

),

communes_in_scopes as (

    select scopes.scope_type, scopes.scope_id, scopes.counter_type, municipalities.nis_code
    from scopes
    inner join municipalities
        on scopes.scope_type = 'belgium'
        or (scopes.scope_type = 'region' and municipalities.region = scopes.scope_id)
        or (scopes.scope_type = 'municipality' and cast(municipalities.nis_code as varchar) = scopes.scope_id)
    where scopes.counter_type in ('commune', 'cpas')

    union all

    -- a commune's (or its CPAS's) administration covers its own commune
    select scopes.scope_type, scopes.scope_id, scopes.counter_type, administrations.nis_code
    from scopes
    inner join administrations on administrations.administration_id = scopes.scope_id
    where scopes.scope_type = 'administration'
        and scopes.counter_type in ('commune', 'cpas')
        and administrations.administration_level = scopes.counter_type
        and administrations.nis_code is not null

),

counted as (

    select
        communes_in_scopes.scope_type,
        communes_in_scopes.scope_id,
        communes_in_scopes.counter_type,
        count(*) as communes_in_scope,
        count(tracked_communes.nis_code) as communes_tracked

    from communes_in_scopes
    left join tracked_communes
        on tracked_communes.counter_type = communes_in_scopes.counter_type
        and tracked_communes.nis_code = communes_in_scopes.nis_code
    group by all

),

final as (

    select
        scopes.scope_type,
        scopes.scope_id,
        scopes.counter_type,
        counted.communes_in_scope,
        counted.communes_tracked,
        case when counted.communes_in_scope > 0
            then round(counted.communes_tracked / counted.communes_in_scope, 4) end as completeness_share,
        coalesce(counted.communes_in_scope > 0 and counted.communes_tracked = counted.communes_in_scope, false)
            as is_complete,
        case
            when counted.communes_in_scope is null then 'universe_not_enumerable'
            when counted.communes_tracked < counted.communes_in_scope then 'scope_incomplete'
        end as incompleteness_reason

    from scopes
    left join counted
        on counted.scope_type = scopes.scope_type
        and counted.scope_id = scopes.scope_id
        and counted.counter_type = scopes.counter_type

)

select * from final
