-- Access indicators (shared/reference/indicators.md) per scope, counter type and month: how many
-- counters receive the public, for how many walk-in hours a week, how many only by appointment,
-- after 17:30 or on Saturday, on five weekdays, per 10,000 inhabitants, and which communes have
-- none — each cell with its coverage, and flagged `is_indicative` when coverage is too low.
-- Definitions, NULL rules and formulas: docs/indicators.md. A cell whose share of counters with a
-- known state is below coverage_threshold has NULL figures (never partial sums); per-capita
-- figures are NULL unless the tracked universe of the scope is complete (fct_scope_completeness),
-- with the reason in per_capita_status. Changes over time are in fct_access_changes (constant panel).
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
{#- a cell's key, and the quantiles of weekly hours per cell: (column prefix, q = 1 / k) -#}
{%- set cell = 'scope_type, scope_id, counter_type, month_start' %}
{%- set quantiles = [('median', 2), ('p10', 10)] %}

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

scopes as (

    select * from {{ ref('int_counter_scopes') }}

),

-- each counter once, where it is (int_counter_scopes: its commune's region, else its administration's)
located as (

    select distinct counter_id, source_id, administration_id, administration_level as counter_type, nis_code, region
    from scopes

),

completeness as (

    select * from {{ ref('fct_scope_completeness') }}

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

-- every registered counter in every month: months before its first observation stay, with a
-- null state and null hours (not yet observed: unknown, never 0). Each state class is decided
-- here, once per counter-month, so that the fan-out to cells below carries narrow rows only
-- (at national scale, 1.8 M counter-months become 15 M counter-month-cells).
counter_months as (

    select
        located.counter_id,
        located.counter_type,
        located.nis_code,
        months.month_start,
        months.month_end,
        monthly.state,
        monthly.weekly_walk_in_minutes,
        monthly.weekly_appointment_minutes,
        monthly.weekly_total_minutes,
        monthly.days_open,
        monthly.weekdays_open,
        monthly.has_out_of_hours_walk_in,
        coalesce(monthly.state in (select state from {{ ref('counter_states') }} where is_active), false) as is_active,
        coalesce(monthly.state in (select state from {{ ref('counter_states') }} where is_closed), false) as is_closed,
        -- hours unknown: never observed yet, listed without hours, or not yet on its page
        monthly.state is null or monthly.state in (select state from {{ ref('counter_states') }} where is_hours_unknown) as is_unknown

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
        captures.observed_at as last_successful_observed_at,
        date_diff('day', cast(captures.observed_at as date), source_months.month_end) as last_success_age_days,
        coalesce(date_diff('day', cast(captures.observed_at as date), source_months.month_end) <= {{ freshness_days }},
            false) as is_fresh

    from (
        select sources.source_id, months.month_start, months.month_end,
            cast(months.month_end + interval 1 day as timestamp) as next_month_start
        from (select distinct source_id from located) as sources
        cross join months
    ) as source_months
    asof left join captures
        on captures.source_id = source_months.source_id
        and source_months.next_month_start > captures.observed_at

),

-- each counter-month in each of its cells (narrow: the cell's key and what the counts read).
-- Read twice and 15 M rows at national scale: recomputed (a join) rather than held in memory.
counter_cells as not materialized (

    select
        scopes.scope_type,
        scopes.scope_id,
        scopes.counter_type,
        counter_months.month_start,
        counter_months.month_end,
        counter_months.state,
        counter_months.is_active,
        counter_months.is_closed,
        counter_months.is_unknown,
        counter_months.weekly_walk_in_minutes,
        counter_months.weekly_appointment_minutes,
        counter_months.weekly_total_minutes,
        counter_months.days_open,
        counter_months.weekdays_open,
        counter_months.has_out_of_hours_walk_in

    from counter_months
    inner join scopes on scopes.counter_id = counter_months.counter_id

),

counters_aggregated as (

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
        count(*) filter (where is_closed) as closed_counters,
        count(*) filter (where is_unknown) as unknown_hours_counters,
        count(*) filter (where state is null) as not_yet_observed_counters,
        count(*) filter (where not is_unknown) as known_state_counters,
        round(coalesce(sum(weekly_walk_in_minutes) filter (where is_active), 0) / 60.0, 2) as walk_in_hours_per_week,
        round(coalesce(sum(weekly_appointment_minutes) filter (where is_active), 0) / 60.0, 2)
            as appointment_hours_per_week,
        count(*) filter (where is_active and weekly_total_minutes < 24 * 60) as counters_under_24h,
        count(*) filter (where is_active and has_out_of_hours_walk_in) as out_of_hours_counters,
        count(*) filter (where is_active and weekdays_open >= 5) as open_5_weekdays_counters,
        count(*) filter (where is_active and days_open <= 2) as open_2_days_or_less_counters

    from counter_cells
    group by scope_type, scope_id, counter_type, month_start

),

-- the median and 10th percentile of active counters' weekly hours, from each cell's histogram
-- (how many counters have each distinct weekly total): a plain aggregate, which spills to disk,
-- where median() and quantile_cont() hold every value of their group in memory (at national
-- scale they alone needed more than 1 GB, more than the cap left them inside a full build).
-- As quantile_cont: the values lo and hi at the floor and ceiling of position (n - 1) * q
-- (0-based), interpolated linearly, lo + d * (hi - lo). Here in exact integer arithmetic (q = 1/k:
-- k * minutes is a whole number), rounded to 0.01 h half up: quantile_cont's floating point
-- depends on how DuckDB was compiled (fused multiply-add) and put exact ties such as 14.925 on
-- either side, so a release built on another machine could differ by 0.01 h.
hours_histogram as (

    select {{ cell }}, weekly_total_minutes, count(*) as counters
    from counter_cells
    where is_active and weekly_total_minutes is not null
    group by all

),

hours_cumulative as (

    select
        *,
        -- counters with at most this weekly total, and in the whole cell
        sum(counters) over (partition by {{ cell }} order by weekly_total_minutes) as counters_through,
        cast(sum(counters) over (partition by {{ cell }}) as bigint) as counters_in_cell

    from hours_histogram

),

-- the value at a 0-based position is the first weekly total whose running count passes it
hours_bounds as (

    select
        {{ cell }},
        {%- for name, k in quantiles %}
        -- position (n - 1) / {{ k }} = floor + remainder / {{ k }}
        any_value((counters_in_cell - 1) % {{ k }}) as {{ name }}_remainder,
        min(weekly_total_minutes) filter (where counters_through > (counters_in_cell - 1) // {{ k }})
            as {{ name }}_low,
        min(weekly_total_minutes) filter (where counters_through > (counters_in_cell - 1) // {{ k }}
            + case when (counters_in_cell - 1) % {{ k }} > 0 then 1 else 0 end) as {{ name }}_high
        {{- "," if not loop.last }}
        {%- endfor %}

    from hours_cumulative
    group by all

),

hours_quantiles as (

    select
        {{ cell }},
        {%- for name, k in quantiles %}
        -- {{ k }} x the interpolated minutes, a whole number; in hundredths of an hour, half up
        ((({{ name }}_low * {{ k }} + {{ name }}_remainder * ({{ name }}_high - {{ name }}_low)) * 100 + 30 * {{ k }})
            // (60 * {{ k }})) / 100.0 as {{ name }}_weekly_hours
        {{- "," if not loop.last }}
        {%- endfor %}

    from hours_bounds

),

-- the sources of each cell, each once (several counters share a page): their freshness is
-- counted per source, so deduplicating before the month fan-out replaces count(distinct)
-- over every counter-month-cell
sources_aggregated as (

    select
        cell_sources.scope_type,
        cell_sources.scope_id,
        cell_sources.counter_type,
        source_freshness.month_start,
        count(*) as sources_tracked,
        count(*) filter (where source_freshness.is_fresh) as sources_fresh,
        max(source_freshness.last_success_age_days) as oldest_last_success_age_days,
        max(source_freshness.last_successful_observed_at) as last_successful_observed_at

    from (select distinct scope_type, scope_id, counter_type, source_id from scopes) as cell_sources
    inner join source_freshness on source_freshness.source_id = cell_sources.source_id
    group by all

),

aggregated as (

    select
        counters_aggregated.*,
        hours_quantiles.median_weekly_hours,
        hours_quantiles.p10_weekly_hours,
        -- a counter without a source page counts no source (as count(distinct) skipped nulls)
        coalesce(sources_aggregated.sources_tracked, 0) as sources_tracked,
        coalesce(sources_aggregated.sources_fresh, 0) as sources_fresh,
        sources_aggregated.oldest_last_success_age_days,
        sources_aggregated.last_successful_observed_at

    from counters_aggregated
    left join hours_quantiles
        on hours_quantiles.scope_type = counters_aggregated.scope_type
        and hours_quantiles.scope_id = counters_aggregated.scope_id
        and hours_quantiles.counter_type = counters_aggregated.counter_type
        and hours_quantiles.month_start = counters_aggregated.month_start
    left join sources_aggregated
        on sources_aggregated.scope_type = counters_aggregated.scope_type
        and sources_aggregated.scope_id = counters_aggregated.scope_id
        and sources_aggregated.counter_type = counters_aggregated.counter_type
        and sources_aggregated.month_start = counters_aggregated.month_start

),

-- active counters of each type in each commune and month, for "communes without a counter"
commune_activity as (

    select nis_code, counter_type, month_start, count(*) filter (where is_active) as active
    from counter_months
    where nis_code is not null
    group by all

    union all

    select nis_code, 'all', month_start, count(*) filter (where is_active)
    from counter_months
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
    cross join (select distinct counter_type from scopes) as types
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

-- whether the cell publishes totals (enough counters with a known state) and per-capita
-- figures (totals, a complete tracked universe, a population), with the reason when not
gated as (

    select
        aggregated.*,
        round(aggregated.known_state_counters / aggregated.counters_tracked, 4) as known_state_share,
        aggregated.known_state_counters / aggregated.counters_tracked >= {{ threshold }} as has_totals,
        populations.population,
        completeness.communes_in_scope,
        completeness.communes_tracked,
        completeness.completeness_share,
        case
            when aggregated.known_state_counters / aggregated.counters_tracked < {{ threshold }}
                then 'not_enough_known_states'
            when not coalesce(completeness.is_complete, false)
                then coalesce(completeness.incompleteness_reason, 'universe_not_enumerable')
            when coalesce(populations.population, 0) = 0 then 'no_population'
            else 'published'
        end as per_capita_status

    from aggregated
    left join populations
        on populations.scope_type = aggregated.scope_type and populations.scope_id = aggregated.scope_id
    left join completeness
        on completeness.scope_type = aggregated.scope_type
        and completeness.scope_id = aggregated.scope_id
        and completeness.counter_type = aggregated.counter_type

),

final as (

    select
        {{ surrogate_key(['gated.scope_type', 'gated.scope_id', 'gated.counter_type',
                          'gated.month_start']) }} as indicator_cell_id,
        gated.scope_type,
        gated.scope_id,
        names.scope_name,
        gated.counter_type,
        gated.month_start,
        gated.month_end,
        'normal published week in force at month end (holiday, seasonal and one-day regimes excluded)'
            as reference_week,
        gated.counters_tracked,
        gated.known_state_counters,
        gated.not_yet_observed_counters,
        gated.known_state_share,
        gated.has_totals,
        -- a cell whose counters are mostly unknown publishes no figure: a partial sum would read
        -- as a fall (or, as counters become known, a rise) that nothing on the ground caused
        case when gated.has_totals then gated.active_counters end as active_counters,
        case when gated.has_totals then gated.walk_in_counters end as walk_in_counters,
        case when gated.has_totals then gated.appointment_only_counters end as appointment_only_counters,
        case when gated.has_totals then gated.closed_counters end as closed_counters,
        gated.unknown_hours_counters,
        case when gated.has_totals then gated.walk_in_hours_per_week end as walk_in_hours_per_week,
        case when gated.has_totals then gated.appointment_hours_per_week end as appointment_hours_per_week,
        case when gated.has_totals then gated.median_weekly_hours end as median_weekly_hours,
        case when gated.has_totals then gated.p10_weekly_hours end as p10_weekly_hours,
        case when gated.has_totals then gated.counters_under_24h end as counters_under_24h,
        case when gated.has_totals and gated.active_counters > 0
            then round(gated.appointment_only_counters / gated.active_counters, 4) end
            as appointment_only_share,
        case when gated.has_totals and gated.walk_in_hours_per_week + gated.appointment_hours_per_week > 0
            then round(gated.appointment_hours_per_week
                / (gated.walk_in_hours_per_week + gated.appointment_hours_per_week), 4) end
            as appointment_hours_share,
        case when gated.has_totals then gated.out_of_hours_counters end as out_of_hours_counters,
        case when gated.has_totals then gated.open_5_weekdays_counters end as open_5_weekdays_counters,
        case when gated.has_totals then gated.open_2_days_or_less_counters end as open_2_days_or_less_counters,
        gated.population,
        gated.communes_in_scope,
        gated.communes_tracked,
        gated.completeness_share,
        gated.per_capita_status,
        case when gated.per_capita_status = 'published'
            then round(gated.walk_in_hours_per_week / gated.population * 10000, 4) end
            as walk_in_hours_per_10k,
        case when gated.per_capita_status = 'published'
            then round(gated.active_counters / gated.population * 10000, 4) end
            as active_counters_per_10k,
        case when gated.has_totals then communes_without.communes_without_counter end as communes_without_counter,
        case when gated.has_totals then communes_without.population_without_counter end as population_without_counter,
        gated.sources_tracked,
        gated.sources_fresh,
        round(gated.sources_fresh / gated.sources_tracked, 4) as coverage_share,
        round(gated.unknown_hours_counters / gated.counters_tracked, 4) as unknown_hours_share,
        gated.oldest_last_success_age_days,
        gated.last_successful_observed_at,
        gated.sources_fresh / gated.sources_tracked < {{ threshold }} as is_indicative,
        inputs.built_through_batch,
        inputs.inputs_fingerprint

    from gated
    cross join inputs
    left join names
        on names.scope_type = gated.scope_type and names.scope_id = gated.scope_id
    left join communes_without
        on communes_without.scope_type = gated.scope_type
        and communes_without.scope_id = gated.scope_id
        and communes_without.counter_type = gated.counter_type
        and communes_without.month_start = gated.month_start

)

select * from final
