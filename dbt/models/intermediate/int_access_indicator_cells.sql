-- Access indicators (shared/reference/indicators.md) per scope, counter type and month: how many
-- counters receive the public, for how many walk-in hours a week, how many only by appointment,
-- after 17:30 or on Saturday, on five weekdays, per 10,000 inhabitants, and which communes have
-- none — each cell with its coverage, and flagged `is_indicative` when coverage is too low.
-- Published without its bookkeeping columns as fct_access_indicators.
--
-- Reference week: the *normal week as published* in force at the month's end (the state of
-- int_counter_months): holiday, summer and one-day regimes are kept out of it by the parser, so
-- the week has no public holiday by construction. Hours are as published, not as experienced.
--
-- Scopes: `belgium`, `region` (the counter's commune's region), `municipality` (communes with a
-- registered counter), `administration`. counter_type = the administration level (commune, cpas,
-- federal, regional, union, mutuality) or `all`.
-- Geography: communes in force today (seed rows with valid_to null), population on the seed's
-- population_date (1 January 2020) for every month.
--
-- Incremental: a build rewrites every cell of the months from the first one that can differ —
-- the earliest month of counter-month rows written since this model's last build, of successful
-- captures of unseen load batches (coverage), or the first month of all when the registry, the
-- geography or the coverage settings changed (inputs_fingerprint) — and keeps earlier months.
-- unique_key is the month: delete+insert replaces those months whole.

{%- set freshness_days = var('coverage_freshness_days') | int %}
{%- set threshold = var('coverage_threshold') | float %}

{{ config(
    materialized='incremental',
    unique_key='month_start',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

with

all_months as (

    select * from {{ ref('int_counter_months') }}

),

counters as (

    select * from {{ ref('dim_counter') }}

),

administrations as (

    select * from {{ ref('dim_administration') }}

),

municipalities as (

    select * from {{ ref('dim_municipality') }}
    where is_current

),

captures as (

    select source_id, observed_at, load_batch from {{ ref('int_captures_classified') }}
    where is_successful

),

-- where each counter is: its commune's region, else its administration's (a federal body's
-- counter without a commune has no region)
located as (

    select
        counters.counter_id,
        counters.source_id,
        counters.administration_id,
        counters.administration_level as counter_type,
        counters.nis_code,
        coalesce(municipalities.region,
            case when counters.region in ('wallonia', 'brussels', 'flanders') then counters.region end) as region

    from counters
    left join municipalities on municipalities.nis_code = counters.nis_code

),

-- everything a cell depends on besides the counter months and the captures: when it changes,
-- every month is rewritten
inputs as (

    select
        md5(concat_ws('#',
            '{{ freshness_days }}', '{{ threshold }}',
            -- each row as text (a struct cast: nulls spelled out)
            (select string_agg(cast(located as varchar), ';' order by counter_id) from located),
            (select string_agg(cast(municipalities as varchar), ';' order by nis_code) from municipalities),
            (select string_agg(cast(administrations as varchar), ';' order by administration_id) from administrations)
        )) as inputs_fingerprint,
        (select coalesce(max(load_batch), 0) from {{ ref('stg_collector__captures') }}) as built_through_batch

),

{% if is_incremental() %}

stored as (

    select coalesce(max(built_through_batch), -1) as load_batch, any_value(inputs_fingerprint) as inputs_fingerprint
    from {{ this }}

),

first_month_written as (

    select
        case
            when (select inputs_fingerprint from stored) is distinct from (select inputs_fingerprint from inputs)
                then (select min(month_start) from all_months)
            else least(
                (select min(month_start) from all_months where built_through_batch > (select load_batch from stored)),
                (select cast(date_trunc('month', min(observed_at)) as date) from captures
                    where load_batch > (select load_batch from stored))
            )
        end as month_start

),

{% endif %}

monthly as (

    select * from all_months
    {% if is_incremental() %}where month_start >= (select month_start from first_month_written){% endif %}

),

months as (

    select distinct month_start, month_end from monthly

),

-- every registered counter in every month: unobserved months stay, as unknown
counter_months as (

    select
        located.*,
        months.month_start,
        months.month_end,
        monthly.state,
        coalesce(monthly.weekly_walk_in_minutes, 0) as weekly_walk_in_minutes,
        coalesce(monthly.weekly_appointment_minutes, 0) as weekly_appointment_minutes,
        coalesce(monthly.weekly_total_minutes, 0) as weekly_total_minutes,
        coalesce(monthly.days_open, 0) as days_open,
        coalesce(monthly.weekdays_open, 0) as weekdays_open,
        coalesce(monthly.has_out_of_hours_walk_in, false) as has_out_of_hours_walk_in,
        monthly.state in (select state from {{ ref('counter_states') }} where is_active) as is_active

    from located
    cross join months
    left join monthly
        on monthly.counter_id = located.counter_id
        and monthly.month_start = months.month_start

),

-- the age of each source's last successful capture at each month's end (the latest capture
-- before the next month: an as-of join, not a range join over every month)
source_freshness as (

    select
        source_months.source_id,
        source_months.month_start,
        captures.observed_at as last_successful_observed_at

    from (
        select sources.source_id, months.month_start, cast(months.month_end + interval 1 day as timestamp) as next_month_start
        from (select distinct source_id from located) as sources
        cross join months
    ) as source_months
    asof left join captures
        on captures.source_id = source_months.source_id
        and source_months.next_month_start > captures.observed_at

),

enriched as (

    select
        counter_months.*,
        source_freshness.last_successful_observed_at,
        date_diff('day', cast(source_freshness.last_successful_observed_at as date), counter_months.month_end)
            as last_success_age_days,
        coalesce(date_diff('day', cast(source_freshness.last_successful_observed_at as date),
            counter_months.month_end) <= {{ freshness_days }}, false) as is_fresh,
        -- hours unknown: never observed yet, listed without hours, or not yet on its page
        counter_months.state is null or counter_months.state in (select state from {{ ref('counter_states') }} where is_hours_unknown) as is_unknown

    from counter_months
    left join source_freshness
        on source_freshness.source_id = counter_months.source_id
        and source_freshness.month_start = counter_months.month_start

),

-- each counter-month in each of its cells
cells as (

    select 'belgium' as scope_type, 'BE' as scope_id, counter_type, * exclude (counter_type) from enriched
    union all
    select 'belgium', 'BE', 'all', * exclude (counter_type) from enriched
    union all
    select 'region', region, counter_type, * exclude (counter_type) from enriched where region is not null
    union all
    select 'region', region, 'all', * exclude (counter_type) from enriched where region is not null
    union all
    select 'municipality', cast(nis_code as varchar), counter_type, * exclude (counter_type)
    from enriched where nis_code is not null
    union all
    select 'municipality', cast(nis_code as varchar), 'all', * exclude (counter_type)
    from enriched where nis_code is not null
    union all
    select 'administration', administration_id, counter_type, * exclude (counter_type) from enriched

),

aggregated as (

    select
        scope_type,
        scope_id,
        counter_type,
        month_start,
        any_value(month_end) as month_end,
        count(*) as counters_tracked,
        count(*) filter (where is_active) as active_counters,
        count(*) filter (where state = 'open') as walk_in_counters,
        count(*) filter (where state = 'appointment_only') as appointment_only_counters,
        count(*) filter (where state in (select state from {{ ref('counter_states') }} where is_closed)) as closed_counters,
        count(*) filter (where is_unknown) as unknown_hours_counters,
        round(coalesce(sum(weekly_walk_in_minutes) filter (where is_active), 0) / 60.0, 2) as walk_in_hours_per_week,
        round(coalesce(sum(weekly_appointment_minutes) filter (where is_active), 0) / 60.0, 2)
            as appointment_hours_per_week,
        round(median(weekly_total_minutes / 60.0) filter (where is_active), 2) as median_weekly_hours,
        round(quantile_cont(weekly_total_minutes / 60.0, 0.1) filter (where is_active), 2) as p10_weekly_hours,
        count(*) filter (where is_active and weekly_total_minutes < 24 * 60) as counters_under_24h,
        count(*) filter (where is_active and has_out_of_hours_walk_in) as out_of_hours_counters,
        count(*) filter (where is_active and weekdays_open >= 5) as open_5_weekdays_counters,
        count(*) filter (where is_active and days_open <= 2) as open_2_days_or_less_counters,
        count(distinct source_id) as sources_tracked,
        count(distinct source_id) filter (where is_fresh) as sources_fresh,
        max(last_success_age_days) as oldest_last_success_age_days,
        max(last_successful_observed_at) as last_successful_observed_at

    from cells
    group by scope_type, scope_id, counter_type, month_start

),

-- active counters of each type in each commune and month, for "communes without a counter"
commune_activity as (

    select nis_code, counter_type, month_start, count(*) filter (where is_active) as active
    from enriched
    where nis_code is not null
    group by all

    union all

    select nis_code, 'all', month_start, count(*) filter (where is_active)
    from enriched
    where nis_code is not null
    group by all

),

commune_grid as (

    select
        municipalities.nis_code,
        municipalities.region,
        municipalities.population,
        types.counter_type,
        months.month_start,
        coalesce(commune_activity.active, 0) = 0 as has_no_counter

    from municipalities
    cross join (select distinct counter_type from cells) as types
    cross join months
    left join commune_activity
        on commune_activity.nis_code = municipalities.nis_code
        and commune_activity.counter_type = types.counter_type
        and commune_activity.month_start = months.month_start

),

communes_without as (

    select 'belgium' as scope_type, 'BE' as scope_id, counter_type, month_start,
        count(*) filter (where has_no_counter) as communes_without_counter,
        coalesce(sum(population) filter (where has_no_counter), 0) as population_without_counter
    from commune_grid
    group by all

    union all

    select 'region', region, counter_type, month_start,
        count(*) filter (where has_no_counter),
        coalesce(sum(population) filter (where has_no_counter), 0)
    from commune_grid
    group by all

    union all

    select 'municipality', cast(nis_code as varchar), counter_type, month_start,
        count(*) filter (where has_no_counter),
        coalesce(sum(population) filter (where has_no_counter), 0)
    from commune_grid
    group by all

),

populations as (

    select 'belgium' as scope_type, 'BE' as scope_id, sum(population) as population from municipalities
    union all
    select 'region', region, sum(population) from municipalities group by region
    union all
    select 'municipality', cast(nis_code as varchar), population from municipalities
    union all
    -- an administration's territory: its commune, its region or community, else all of Belgium
    select
        'administration',
        administrations.administration_id,
        case
            when administrations.nis_code is not null
                then (select population from municipalities where nis_code = administrations.nis_code)
            when administrations.region = 'german_community'
                then (select sum(population) from municipalities where is_german_speaking)
            when administrations.region in ('wallonia', 'brussels', 'flanders')
                then (select sum(population) from municipalities where region = administrations.region)
            else (select sum(population) from municipalities)
        end
    from administrations

),

names as (

    select 'belgium' as scope_type, 'BE' as scope_id, 'Belgique / België' as scope_name
    union all
    select distinct 'region', region,
        case region when 'wallonia' then 'Wallonie / Wallonië' when 'brussels' then 'Bruxelles / Brussel'
            when 'flanders' then 'Flandre / Vlaanderen' end
    from municipalities
    union all
    select 'municipality', cast(nis_code as varchar),
        case when name_fr = name_nl then name_fr else name_fr || ' / ' || name_nl end
    from municipalities
    union all
    select 'administration', administration_id, coalesce(administration_name_fr, administration_name_nl)
    from administrations

),

final as (

    select
        {{ surrogate_key(['aggregated.scope_type', 'aggregated.scope_id', 'aggregated.counter_type',
                          'aggregated.month_start']) }} as indicator_cell_id,
        aggregated.scope_type,
        aggregated.scope_id,
        names.scope_name,
        aggregated.counter_type,
        aggregated.month_start,
        aggregated.month_end,
        'normal published week in force at month end (holiday, seasonal and one-day regimes excluded)'
            as reference_week,
        aggregated.counters_tracked,
        aggregated.active_counters,
        aggregated.walk_in_counters,
        aggregated.appointment_only_counters,
        aggregated.closed_counters,
        aggregated.unknown_hours_counters,
        aggregated.walk_in_hours_per_week,
        aggregated.appointment_hours_per_week,
        aggregated.median_weekly_hours,
        aggregated.p10_weekly_hours,
        aggregated.counters_under_24h,
        case when aggregated.active_counters > 0
            then round(aggregated.appointment_only_counters / aggregated.active_counters, 4) end
            as appointment_only_share,
        case when aggregated.walk_in_hours_per_week + aggregated.appointment_hours_per_week > 0
            then round(aggregated.appointment_hours_per_week
                / (aggregated.walk_in_hours_per_week + aggregated.appointment_hours_per_week), 4) end
            as appointment_hours_share,
        aggregated.out_of_hours_counters,
        aggregated.open_5_weekdays_counters,
        aggregated.open_2_days_or_less_counters,
        populations.population,
        case when populations.population > 0
            then round(aggregated.walk_in_hours_per_week / populations.population * 10000, 4) end
            as walk_in_hours_per_10k,
        case when populations.population > 0
            then round(aggregated.active_counters / populations.population * 10000, 4) end
            as active_counters_per_10k,
        communes_without.communes_without_counter,
        communes_without.population_without_counter,
        aggregated.sources_tracked,
        aggregated.sources_fresh,
        round(aggregated.sources_fresh / aggregated.sources_tracked, 4) as coverage_share,
        round(aggregated.unknown_hours_counters / aggregated.counters_tracked, 4) as unknown_hours_share,
        aggregated.oldest_last_success_age_days,
        aggregated.last_successful_observed_at,
        aggregated.sources_fresh / aggregated.sources_tracked < {{ threshold }} as is_indicative,
        inputs.built_through_batch,
        inputs.inputs_fingerprint

    from aggregated
    cross join inputs
    left join names
        on names.scope_type = aggregated.scope_type and names.scope_id = aggregated.scope_id
    left join populations
        on populations.scope_type = aggregated.scope_type and populations.scope_id = aggregated.scope_id
    left join communes_without
        on communes_without.scope_type = aggregated.scope_type
        and communes_without.scope_id = aggregated.scope_id
        and communes_without.counter_type = aggregated.counter_type
        and communes_without.month_start = aggregated.month_start

)

select * from final
