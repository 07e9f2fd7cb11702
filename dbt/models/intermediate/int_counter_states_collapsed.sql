-- The history of each registered counter: consecutive successful observations with the same
-- state (and, for open / appointment-only counters, the same published hours) collapsed into one
-- state with a validity interval.
--
-- Absences (the page lists other reception points, not this one):
-- * after the counter was listed at least once, a run of consecutive absences becomes `closed`
--   (valid from its first observation) only once it holds `closure_confirmations` observations;
--   a shorter run is an unconfirmed absence: it does not end the previous state, which simply
--   continues (counted in `unconfirmed_absence_count`);
-- * before the counter was ever listed, absences are `not_listed` (the registry is ahead of the
--   page, or the counter opened later): never a closure.
-- A page announcing a permanent closure is `closed` at once (announced, see closure_basis);
-- absences right after it continue the same closure.

--
-- Incremental (a new week must not rebuild every history): only counters with observations of
-- load batches not seen yet are touched. When those observations simply continue the current
-- state — all later than anything seen for the counter, no unconfirmed absence pending, and each
-- one either listed with the current state's key or (for a counter closed or never listed by
-- absence) absent again — the current row is extended in place (the *fast path*). Every other
-- touched counter (a change, a pending absence, an archive capture older than what was seen, a
-- re-parsed capture, a counter new to the registry) has its whole history recomputed from its observations by the same logic
-- as a full build. tests/integration/test_dbt_incremental.py checks that both give the full build's rows.

-- depends_on: {{ ref('int_captures_classified') }}
-- depends_on: {{ ref('stg_registry__counters') }}
-- depends_on: {{ ref('counter_states') }}

{{ config(
    materialized='incremental',
    unique_key='counter_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

{%- set confirmations = var('closure_confirmations') | int %}

with

all_observations as (

    select * from {{ ref('int_counter_observations_classified') }}

),

{% if is_incremental() %}

watermark as (

    select coalesce(max(last_load_batch), -1) as load_batch from {{ this }}

),

current_states as (

    select * from {{ this }} where is_current

),

new_observations as (

    select all_observations.*
    from all_observations
    where all_observations.load_batch > (select load_batch from watermark)

),

-- captures loaded since the last build, per source: one not later than a counter's last
-- observation (an archive capture, or a capture re-parsed) means recomputing that counter
source_changes as (

    select source_id, min(observed_at) as earliest_changed_at
    from {{ ref('int_captures_classified') }}
    where load_batch > (select load_batch from watermark)
    group by source_id

),

touched as (

    select
        new_observations.counter_id,
        count(*) as new_count,
        min(new_observations.observed_at) as first_new_at,
        max(new_observations.observed_at) as last_new_at,
        arg_max(new_observations.capture_id, new_observations.observed_at) as last_new_capture_id,
        max(new_observations.load_batch) as new_load_batch,
        coalesce(bool_and(
            case
                when new_observations.observed_state = 'absent'
                    then current_states.state in (select state from {{ ref('counter_states') }} where is_off_page)
                        and current_states.last_observed_state = 'absent'
                else (case when new_observations.observed_state = 'closed_permanent' then 'closed'
                        else new_observations.observed_state end)
                    || '|' || coalesce(new_observations.hours_signature, '')
                    = current_states.state || '|' || coalesce(current_states.hours_signature, '')
            end
        ), false) as continues_current_state,
        any_value(current_states.tail_observed_at) as tail_observed_at,
        any_value(current_states.last_observed_at) as current_last_observed_at,
        any_value(source_changes.earliest_changed_at) as earliest_changed_at

    from new_observations
    left join current_states on current_states.counter_id = new_observations.counter_id
    left join source_changes on source_changes.source_id = new_observations.source_id
    group by new_observations.counter_id

),

fast_counters as (

    select * from touched
    where continues_current_state
        and tail_observed_at = current_last_observed_at
        and first_new_at > tail_observed_at
        and earliest_changed_at > tail_observed_at

),

-- every other counter with news, and counters of sources with an older or re-parsed capture
slow_counters as (

    select counter_id from touched
    where counter_id not in (select counter_id from fast_counters)

    union

    select current_states.counter_id
    from current_states
    inner join {{ ref('stg_registry__counters') }} as registered
        on registered.counter_id = current_states.counter_id
    inner join source_changes
        on source_changes.source_id = registered.source_id
        and source_changes.earliest_changed_at <= current_states.tail_observed_at

    union

    -- a counter added to the registry: its observations of past captures are all new to this model
    select distinct counter_id from all_observations
    where counter_id not in (select counter_id from {{ this }})

),

observations as (

    select * from all_observations
    where counter_id in (select counter_id from slow_counters)

),

{% else %}

observations as (

    select * from all_observations

),

{% endif %}

-- One pass in observation order: each observation's number, and how many times the counter was
-- listed (present on its page) up to it. Three window passes over the observations in all, where
-- the classic gaps-and-islands formulation took seven and a self-join: on the national benchmark
-- log (7.8 M observations), 20.8 s instead of 31.7-34.6 s for a full build of this model.
sequenced as (

    select
        *,
        row_number() over by_observation as observation_seq,
        sum(case when is_absent then 0 else 1 end) over by_observation as listed_so_far

    from (select *, observed_state = 'absent' as is_absent from observations)
    window by_observation as (
        partition by counter_id order by observed_at, capture_id
        rows between unbounded preceding and current row
    )

),

-- consecutive absences are those after the same number of listings
absence_runs as (

    select
        counter_id,
        listed_so_far,
        count(*) as absence_run_length,
        min(observation_seq) as first_absence_seq

    from sequenced
    where is_absent
    group by counter_id, listed_so_far

),

with_absence_runs as (

    select
        sequenced.*,
        absence_runs.absence_run_length,
        sequenced.observation_seq - absence_runs.first_absence_seq + 1 as absence_run_position,
        -- listed before this observation
        sequenced.listed_so_far - (case when sequenced.is_absent then 0 else 1 end) > 0 as has_earlier_presence

    from sequenced
    left join absence_runs
        on sequenced.is_absent
        and absence_runs.counter_id = sequenced.counter_id
        and absence_runs.listed_so_far = sequenced.listed_so_far

),

effective as (

    select
        *,
        case
            when observed_state = 'closed_permanent' then 'closed'
            when not is_absent then observed_state
            when not has_earlier_presence then 'not_listed'
            when absence_run_length >= {{ confirmations }} then 'closed'
            else 'absent_unconfirmed'
        end as effective_state,
        -- an unconfirmed absence after the counter was listed does not end its state
        is_absent and absence_run_length < {{ confirmations }} and has_earlier_presence as is_carried,
        -- the observation that makes a closure certain
        observed_state = 'closed_permanent'
            or (is_absent and has_earlier_presence and absence_run_position >= {{ confirmations }})
            as is_confirming

    from with_absence_runs

),

keyed as (

    select
        *,
        effective_state || '|' || coalesce(hours_signature, '') as state_key

    from effective

),

-- a new state starts where the state key differs from the last kept observation's before it
-- (unconfirmed absences are carried by the state, not kept)
boundaries as (

    select
        *,
        not is_carried and state_key is distinct from last_value(
            case when not is_carried then state_key end ignore nulls
        ) over (
            partition by counter_id order by observation_seq rows between unbounded preceding and 1 preceding
        ) as is_new_state

    from keyed

),

numbered as (

    select
        *,
        sum(case when is_new_state then 1 else 0 end) over (
            partition by counter_id order by observation_seq
            rows between unbounded preceding and current row
        ) as state_seq

    from boundaries

),

collapsed as (

    select
        counter_id,
        state_seq,
        any_value(source_id) as source_id,
        arg_min(effective_state, observation_seq) filter (where not is_carried) as state,
        arg_min(observed_state, observation_seq) filter (where not is_carried) as first_observed_state,
        min(observed_at) filter (where not is_carried) as valid_from,
        max(observed_at) filter (where not is_carried) as last_observed_at,
        arg_min(capture_id, observation_seq) filter (where not is_carried) as first_capture_id,
        arg_max(capture_id, observation_seq) filter (where not is_carried) as last_capture_id,
        min(observed_at) filter (where is_confirming and not is_carried) as confirmed_at,
        arg_min(capture_id, observation_seq) filter (where is_confirming and not is_carried)
            as confirming_capture_id,
        arg_min(closure_reason, observation_seq) filter (where not is_carried) as closure_reason,
        arg_min(weekly_walk_in_minutes, observation_seq) filter (where not is_carried) as weekly_walk_in_minutes,
        arg_min(weekly_appointment_minutes, observation_seq) filter (where not is_carried)
            as weekly_appointment_minutes,
        arg_min(days_open, observation_seq) filter (where not is_carried) as days_open,
        arg_min(weekdays_open, observation_seq) filter (where not is_carried) as weekdays_open,
        arg_min(walk_in_days_open, observation_seq) filter (where not is_carried) as walk_in_days_open,
        arg_min(has_out_of_hours_walk_in, observation_seq) filter (where not is_carried)
            as has_out_of_hours_walk_in,
        arg_min(hours_signature, observation_seq) filter (where not is_carried) as hours_signature,
        arg_max(observed_state, observation_seq) filter (where not is_carried) as last_observed_state,
        count(*) filter (where not is_carried) as observation_count,
        count(*) filter (where is_carried) as unconfirmed_absence_count,
        -- the last observation of any kind in this state, unconfirmed absences included
        max(observed_at) as tail_observed_at,
        max(load_batch) as last_load_batch

    from numbered
    group by counter_id, state_seq

),

final as (

    select
        {{ surrogate_key(['counter_id', 'valid_from']) }} as counter_state_id,
        counter_id,
        source_id,
        state_seq,
        state,
        case
            when state = 'closed' and first_observed_state = 'closed_permanent' then 'announced_permanent'
            when state = 'closed' then 'confirmed_absence'
        end as closure_basis,
        closure_reason,
        valid_from,
        lead(valid_from) over (partition by counter_id order by valid_from) as valid_to,
        lead(valid_from) over (partition by counter_id order by valid_from) is null as is_current,
        last_observed_at,
        first_capture_id,
        last_capture_id,
        confirmed_at,
        confirming_capture_id,
        weekly_walk_in_minutes,
        weekly_appointment_minutes,
        weekly_walk_in_minutes + weekly_appointment_minutes as weekly_total_minutes,
        days_open,
        weekdays_open,
        walk_in_days_open,
        has_out_of_hours_walk_in,
        hours_signature,
        last_observed_state,
        observation_count,
        unconfirmed_absence_count,
        tail_observed_at,
        last_load_batch

    from collapsed

)

{% if is_incremental() %}

-- fast path: the current row goes on to the newest observation; earlier rows are kept as they are
, extended as (

    select
        this_rows.* replace (
            case when this_rows.is_current then fast_counters.last_new_at else this_rows.last_observed_at end
                as last_observed_at,
            case when this_rows.is_current then fast_counters.last_new_capture_id else this_rows.last_capture_id end
                as last_capture_id,
            case when this_rows.is_current then this_rows.observation_count + fast_counters.new_count
                else this_rows.observation_count end as observation_count,
            case when this_rows.is_current then fast_counters.last_new_at else this_rows.tail_observed_at end
                as tail_observed_at,
            case when this_rows.is_current then fast_counters.new_load_batch else this_rows.last_load_batch end
                as last_load_batch
        )

    from {{ this }} as this_rows
    inner join fast_counters on fast_counters.counter_id = this_rows.counter_id

)

select * from final
union all by name
select * from extended

{% else %}

select * from final
order by counter_id, valid_from

{% endif %}
