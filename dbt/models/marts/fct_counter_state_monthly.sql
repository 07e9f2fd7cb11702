-- The state of every observed counter at each month end, from the month of its first successful
-- observation to the month of the last capture in the data (never the wall clock).

with

history as (

    select * from {{ ref('fct_counter_history') }}

),

observations as (

    select counter_id, observed_at from {{ ref('int_counter_observations_classified') }}

),

data_horizon as (

    select cast(date_trunc('month', max(observed_at)) as date) as last_month
    from {{ ref('stg_collector__captures') }}

),

counter_spans as (

    select
        counter_id,
        cast(date_trunc('month', min(valid_from)) as date) as first_month

    from history
    group by counter_id

),

counter_months as (

    select
        counter_spans.counter_id,
        cast(month_start as date) as month_start

    from counter_spans
    cross join data_horizon
    cross join unnest(generate_series(
        cast(counter_spans.first_month as timestamp),
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

-- observations per counter and month, then the latest one up to each month's end (an
-- equi-join on the month and a running max: no range join over the observation log)
observation_months as (

    select
        counter_id,
        cast(date_trunc('month', observed_at) as date) as month_start,
        count(*) as observations_in_month,
        max(observed_at) as last_in_month

    from observations
    group by all

),

observation_counts as (

    select
        month_bounds.counter_id,
        month_bounds.month_start,
        coalesce(observation_months.observations_in_month, 0) as observations_in_month,
        max(observation_months.last_in_month) over (
            partition by month_bounds.counter_id order by month_bounds.month_start
            rows between unbounded preceding and current row
        ) as last_observed_at

    from month_bounds
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
        observation_counts.last_observed_at

    from month_bounds
    inner join history
        on history.counter_id = month_bounds.counter_id
        and history.valid_from < month_bounds.next_month_start
        and (history.valid_to is null or history.valid_to >= month_bounds.next_month_start)
    left join observation_counts
        on observation_counts.counter_id = month_bounds.counter_id
        and observation_counts.month_start = month_bounds.month_start

)

select * from final
order by counter_id, month_start
