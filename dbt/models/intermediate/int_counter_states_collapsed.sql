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

{%- set confirmations = var('closure_confirmations', 2) | int %}

with

observations as (

    select * from {{ ref('int_counter_observations_classified') }}

),

sequenced as (

    select
        *,
        row_number() over (partition by counter_id order by observed_at, capture_id) as observation_seq,
        observed_state = 'absent' as is_absent

    from observations

),

-- gaps and islands: consecutive absent observations share an island
absence_islands as (

    select
        *,
        observation_seq - row_number() over (
            partition by counter_id, is_absent order by observation_seq
        ) as island,
        coalesce(max(case when is_absent then 0 else 1 end) over (
            partition by counter_id order by observation_seq
            rows between unbounded preceding and 1 preceding
        ), 0) = 1 as has_earlier_presence

    from sequenced

),

absence_runs as (

    select
        *,
        case when is_absent then count(*) over (partition by counter_id, is_absent, island) end
            as absence_run_length,
        case when is_absent then row_number() over (
            partition by counter_id, is_absent, island order by observation_seq
        ) end as absence_run_position

    from absence_islands

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

    from absence_runs

),

keyed as (

    select
        *,
        effective_state || '|' || coalesce(hours_signature, '') as state_key

    from effective

),

-- a new state starts where the state key differs from the previous kept observation's
kept_boundaries as (

    select
        counter_id,
        observation_seq,
        coalesce(
            state_key is distinct from lag(state_key) over (partition by counter_id order by observation_seq),
            true
        ) as is_new_state

    from keyed
    where not is_carried

),

numbered as (

    select
        keyed.*,
        sum(case when coalesce(kept_boundaries.is_new_state, false) then 1 else 0 end) over (
            partition by keyed.counter_id order by keyed.observation_seq
            rows between unbounded preceding and current row
        ) as state_seq

    from keyed
    left join kept_boundaries
        on kept_boundaries.counter_id = keyed.counter_id
        and kept_boundaries.observation_seq = keyed.observation_seq

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
        count(*) filter (where not is_carried) as observation_count,
        count(*) filter (where is_carried) as unconfirmed_absence_count

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
        observation_count,
        unconfirmed_absence_count

    from collapsed

)

select * from final
order by counter_id, valid_from
