-- Like-for-like changes of the access indicators (docs/indicators.md): per cell of
-- fct_access_indicators and comparison — `previous_month`, `year_earlier` (12 months before) and
-- `series_start` (the first month of the series) — the change computed on the constant panel of
-- the cell's counters whose state is known at *both* month ends. A counter that becomes known
-- (first observed, or listed with hours) between the two dates is left out, so tracking more
-- counters never reads as more access; the panel size is published beside every change.
-- A counter is known in a month when it has a state at the month's end that is not an
-- hours-unknown state (counter_states.is_hours_unknown); closed counters are known (0 hours).

--
-- Incremental: a month's changes depend on its cell, its own month and earlier months (the base
-- months, the first month of the series), so a build rewrites every month from the first one
-- int_access_indicator_cells rewrote since this model's last build (its built_through_batch) and
-- keeps earlier months; unique_key is the month, replaced whole. A new first month (a backfill)
-- or new inputs make the cells rewrite every month, and this model with them.
-- Published without its bookkeeping column as fct_access_changes.

{%- set threshold = var('coverage_threshold') | float %}

{{ config(
    materialized='incremental',
    unique_key='month_start',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

with

all_cells as (

    select scope_type, scope_id, scope_name, counter_type, month_start, counters_tracked, built_through_batch
    from {{ ref('int_access_indicator_cells') }}

),

{% if is_incremental() %}
-- the first month the cells rewrote since this model was built (null: none, nothing to rewrite)
first_month_written as (

    select min(month_start) as month_start from all_cells
    where built_through_batch > (select coalesce(max(built_through_batch), -1) from {{ this }})

),
{% endif %}

-- the cells whose changes this build writes
cells as (

    select * from all_cells
    {% if is_incremental() %}where month_start >= (select month_start from first_month_written){% endif %}

),

scopes as (

    select scope_type, scope_id, counter_type, counter_id from {{ ref('int_counter_scopes') }}

),

-- counters with a known state at a month end, with what they count for
known as (

    select
        monthly.counter_id,
        monthly.month_start,
        counter_states.is_active,
        monthly.state = 'appointment_only' as is_appointment_only,
        case when counter_states.is_active then monthly.weekly_walk_in_minutes else 0 end as walk_in_minutes

    from {{ ref('int_counter_months') }} as monthly
    inner join {{ ref('counter_states') }} as counter_states on counter_states.state = monthly.state
    where not counter_states.is_hours_unknown

),

-- every month of the series: the base months of the cells' comparisons
months as (

    select distinct month_start from all_cells

),

-- the comparisons of the months written
written_months as (

    select distinct month_start from cells

),

comparisons as (

    select month_start, 'previous_month' as comparison, cast(month_start - interval 1 month as date) as base_month_start
    from written_months
    union all
    select month_start, 'year_earlier', cast(month_start - interval 12 month as date)
    from written_months
    union all
    select month_start, 'series_start', (select min(month_start) from months)
    from written_months

),

-- each counter known at both dates of a comparison, in each of its cells
panel as (

    select
        scopes.scope_type,
        scopes.scope_id,
        scopes.counter_type,
        comparisons.month_start,
        comparisons.comparison,
        count(*) as panel_counters,
        count(*) filter (where base.is_active) as base_active_counters,
        count(*) filter (where current.is_active) as active_counters,
        count(*) filter (where base.is_appointment_only) as base_appointment_only_counters,
        count(*) filter (where current.is_appointment_only) as appointment_only_counters,
        sum(base.walk_in_minutes) / 60.0 as base_walk_in_hours,
        sum(current.walk_in_minutes) / 60.0 as walk_in_hours

    from comparisons
    inner join known as current on current.month_start = comparisons.month_start
    inner join known as base
        on base.counter_id = current.counter_id
        and base.month_start = comparisons.base_month_start
    inner join scopes on scopes.counter_id = current.counter_id
    group by all

),

final as (

    select
        {{ surrogate_key(['cells.scope_type', 'cells.scope_id', 'cells.counter_type', 'cells.month_start',
                          'comparisons.comparison']) }} as access_change_id,
        cells.scope_type,
        cells.scope_id,
        cells.scope_name,
        cells.counter_type,
        cells.month_start,
        comparisons.comparison,
        comparisons.base_month_start,
        cells.counters_tracked,
        coalesce(panel.panel_counters, 0) as panel_counters,
        round(coalesce(panel.panel_counters, 0) / cells.counters_tracked, 4) as panel_share,
        coalesce(panel.panel_counters, 0) / cells.counters_tracked < {{ threshold }} as is_indicative,
        panel.base_active_counters,
        panel.active_counters,
        panel.active_counters - panel.base_active_counters as active_counters_change,
        round(panel.base_walk_in_hours, 2) as base_walk_in_hours_per_week,
        round(panel.walk_in_hours, 2) as walk_in_hours_per_week,
        round(panel.walk_in_hours - panel.base_walk_in_hours, 2) as walk_in_hours_change,
        case when panel.base_walk_in_hours > 0
            then round((panel.walk_in_hours - panel.base_walk_in_hours) / panel.base_walk_in_hours, 4) end
            as walk_in_hours_change_share,
        panel.base_appointment_only_counters,
        panel.appointment_only_counters,
        panel.appointment_only_counters - panel.base_appointment_only_counters as appointment_only_counters_change,
        cells.built_through_batch

    from cells
    inner join comparisons on comparisons.month_start = cells.month_start
    left join panel
        on panel.scope_type = cells.scope_type
        and panel.scope_id = cells.scope_id
        and panel.counter_type = cells.counter_type
        and panel.month_start = cells.month_start
        and panel.comparison = comparisons.comparison
    -- a comparison needs its base month in the series (the first month has no previous one)
    where comparisons.base_month_start in (select month_start from months)
        and comparisons.base_month_start < cells.month_start

)

select * from final
