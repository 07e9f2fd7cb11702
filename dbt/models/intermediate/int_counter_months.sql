-- The state of every observed counter at each month end, from the month of its first successful
-- observation to the month of the last capture in the data (never the wall clock); published
-- without its bookkeeping column as fct_counter_states_monthly.
--
-- Incremental (a new week must not rebuild years of months): each build writes, per counter, the
-- months from the first one whose row can differ from the stored one, and keeps the rest. A
-- counter's months can change only from the month of
--   * an observation of a load batch the stored rows have not seen (a new week, an archive
--     capture from the past, a re-parsed capture);
--   * a state that is in force at some month end and is not stored yet (a new state has a new
--     counter_state_id, md5 of counter and valid_from — a back-dated closure included);
--   * a stored row whose state is gone, or whose counter changed source or administration;
--   * the month after the last stored one, for every counter (the data reached a new month).
-- Rows that are no longer produced at all (a counter removed from the registry) are deleted
-- after the insert. tests/integration/test_dbt_incremental.py checks the result equals a full build's.

-- depends_on: {{ ref('int_counter_states_collapsed') }}

{{ config(
    materialized='incremental',
    unique_key='counter_month_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook="{% if is_incremental() %}delete from {{ this }} where counter_state_id not in ("
        ~ "select counter_state_id from {{ ref('int_counter_states_collapsed') }} as states inner join "
        ~ "{{ ref('stg_registry__counters') }} as counters on counters.counter_id = states.counter_id){% endif %}",
) }}

with

-- the counter histories, with the counter's source and administration (as fct_counter_history)
history as (

    select
        states.*,
        counters.source_id,
        sources.administration_id

    from {{ ref('int_counter_states_collapsed') }} as states
    inner join {{ ref('stg_registry__counters') }} as counters on counters.counter_id = states.counter_id
    left join {{ ref('stg_registry__sources') }} as sources on sources.source_id = counters.source_id

),

observations as (

    select counter_id, observed_at, load_batch from {{ ref('int_counter_observations_classified') }}

),

data_horizon as (

    select
        cast(date_trunc('month', max(observed_at)) as date) as last_month,
        max(load_batch) as load_batch

    from {{ ref('stg_collector__captures') }}

),

counter_spans as (

    select
        counter_id,
        cast(date_trunc('month', min(valid_from)) as date) as first_month

    from history
    group by counter_id

),

{% if is_incremental() %}

stored as (

    select
        coalesce(max(built_through_batch), -1) as load_batch,
        max(month_start) as last_month

    from {{ this }}

),

changes as (

    select counter_id, cast(date_trunc('month', min(observed_at)) as date) as from_month
    from observations
    where load_batch > (select load_batch from stored)
    group by counter_id

    union all

    select history.counter_id, min(cast(date_trunc('month', history.valid_from) as date))
    from history
    anti join {{ this }} as stored_rows on stored_rows.counter_state_id = history.counter_state_id
    where history.valid_to is null
        or history.valid_to >= date_trunc('month', history.valid_from) + interval 1 month
    group by history.counter_id

    union all

    select stored_rows.counter_id, min(stored_rows.month_start)
    from {{ this }} as stored_rows
    left join history on history.counter_state_id = stored_rows.counter_state_id
    where history.counter_state_id is null
        or history.source_id is distinct from stored_rows.source_id
        or history.administration_id is distinct from stored_rows.administration_id
    group by stored_rows.counter_id

    union all

    select counter_id, cast((select last_month from stored) + interval 1 month as date)
    from counter_spans

),

-- the first month to write, per counter; with the running maximum carried in from the stored
-- month before it
rebuilt as (

    select
        changes.counter_id,
        greatest(min(changes.from_month), any_value(counter_spans.first_month)) as from_month

    from changes
    inner join counter_spans on counter_spans.counter_id = changes.counter_id
    group by changes.counter_id

),

carried as (

    select rebuilt.counter_id, rebuilt.from_month, stored_rows.last_observed_at as carried_last_observed_at
    from rebuilt
    left join {{ this }} as stored_rows
        on stored_rows.counter_id = rebuilt.counter_id
        and stored_rows.month_start = rebuilt.from_month - interval 1 month

),

{% else %}

carried as (

    select counter_id, first_month as from_month, cast(null as timestamp) as carried_last_observed_at
    from counter_spans

),

{% endif %}

counter_months as (

    select
        carried.counter_id,
        cast(month_start as date) as month_start

    from carried
    cross join data_horizon
    cross join unnest(generate_series(
        cast(carried.from_month as timestamp),
        cast(data_horizon.last_month as timestamp),
        interval 1 month
    )) as months(month_start)

),

month_bounds as (

    select
        counter_id,
        month_start,
        cast(month_start + interval 1 month - interval 1 day as date) as month_end,
        cast(month_start + interval 1 month as timestamp) as next_month_start

    from counter_months

),

-- observations per counter and month from the first month written, then the latest one up to
-- each month's end (an equi-join on the month and a running max: no range join over the log)
observation_months as (

    select
        observations.counter_id,
        cast(date_trunc('month', observations.observed_at) as date) as month_start,
        count(*) as observations_in_month,
        max(observations.observed_at) as last_in_month

    from observations
    inner join carried
        on carried.counter_id = observations.counter_id
        and observations.observed_at >= carried.from_month
    group by all

),

observation_counts as (

    select
        month_bounds.counter_id,
        month_bounds.month_start,
        coalesce(observation_months.observations_in_month, 0) as observations_in_month,
        greatest(
            max(observation_months.last_in_month) over (
                partition by month_bounds.counter_id order by month_bounds.month_start
                rows between unbounded preceding and current row
            ),
            carried.carried_last_observed_at
        ) as last_observed_at

    from month_bounds
    inner join carried on carried.counter_id = month_bounds.counter_id
    left join observation_months
        on observation_months.counter_id = month_bounds.counter_id
        and observation_months.month_start = month_bounds.month_start

),

final as (

    select
        {{ surrogate_key(['month_bounds.counter_id', 'month_bounds.month_start']) }} as counter_month_id,
        month_bounds.counter_id,
        history.source_id,
        history.administration_id,
        month_bounds.month_start,
        month_bounds.month_end,
        history.counter_state_id,
        history.state,
        history.weekly_walk_in_minutes,
        history.weekly_appointment_minutes,
        history.weekly_total_minutes,
        history.days_open,
        history.weekdays_open,
        history.walk_in_days_open,
        history.has_out_of_hours_walk_in,
        history.valid_from as state_since,
        observation_counts.observations_in_month,
        observation_counts.last_observed_at,
        data_horizon.load_batch as built_through_batch

    from month_bounds
    cross join data_horizon
    inner join history
        on history.counter_id = month_bounds.counter_id
        and history.valid_from < month_bounds.next_month_start
        and (history.valid_to is null or history.valid_to >= month_bounds.next_month_start)
    left join observation_counts
        on observation_counts.counter_id = month_bounds.counter_id
        and observation_counts.month_start = month_bounds.month_start

)

select * from final
