-- One row per change in a counter's history, each with the archived captures on either side.
-- Events come from transitions between consecutive states of int_counter_states_collapsed; a
-- transition can yield more than one event (e.g. became_appointment_only and hours_reduced).
-- Downgrades (indicator 14) are marked with downgrade_type: walk-in -> appointment-only, days
-- open cut, hours cut by at least `downgrade_hours_cut_share` (var, default 25%), and a counter
-- closed with a notice that sends people to a partner point or an online counter.
{%- set cut_share = var('downgrade_hours_cut_share') | float %}

with

states as (

    select * from {{ ref('int_counter_states_collapsed') }}

),

framed as (

    select
        states.*,
        lag(counter_state_id) over by_counter as previous_counter_state_id,
        lag(state) over by_counter as previous_state,
        lag(last_capture_id) over by_counter as previous_last_capture_id,
        lag(last_observed_at) over by_counter as previous_last_observed_at,
        lag(weekly_total_minutes) over by_counter as previous_weekly_total_minutes,
        lag(weekly_walk_in_minutes) over by_counter as previous_weekly_walk_in_minutes,
        lag(days_open) over by_counter as previous_days_open,
        -- was the counter ever listed on its page before this state?
        coalesce(bool_or(state in (select state from {{ ref('counter_states') }} where is_listed)) over (
            partition by counter_id order by valid_from
            rows between unbounded preceding and 1 preceding
        ), false) as was_listed_before

    from states
    window by_counter as (partition by counter_id order by valid_from)

),

transitions as (

    select
        *,
        previous_state in (select state from {{ ref('counter_states') }} where is_active)
            and state in (select state from {{ ref('counter_states') }} where is_active)
            as is_between_published_hours

    from framed

),

events as (

    select 'opened' as event_type, *
    from transitions
    where state in (select state from {{ ref('counter_states') }} where is_listed and not is_closed) and not was_listed_before

    union all

    select 'reopened' as event_type, *
    from transitions
    where state in (select state from {{ ref('counter_states') }} where is_active)
        and previous_state in (select state from {{ ref('counter_states') }} where is_closed)
        and was_listed_before

    union all

    select 'closed' as event_type, *
    from transitions
    where state = 'closed' and was_listed_before

    union all

    select 'temporarily_closed' as event_type, *
    from transitions
    where state = 'closed_temporary'

    union all

    select 'became_appointment_only' as event_type, *
    from transitions
    where previous_state = 'open' and state = 'appointment_only'

    union all

    select 'walk_in_restored' as event_type, *
    from transitions
    where previous_state = 'appointment_only' and state = 'open'

    union all

    select 'hours_reduced' as event_type, *
    from transitions
    where is_between_published_hours and weekly_total_minutes < previous_weekly_total_minutes

    union all

    select 'hours_increased' as event_type, *
    from transitions
    where is_between_published_hours and weekly_total_minutes > previous_weekly_total_minutes

    union all

    select 'days_open_cut' as event_type, *
    from transitions
    where is_between_published_hours and days_open < previous_days_open

    union all

    -- "remplacé par l'e-guichet", "voortaan via het e-loket", "point partenaire": the counter
    -- closes and its closure notice sends people to a partner point or an online service
    select 'replaced_by_partner_or_online' as event_type, *
    from transitions
    where state in (select state from {{ ref('counter_states') }} where is_closed) and was_listed_before
        and regexp_matches(lower(coalesce(closure_reason, '')),
            '(e-guichet|e-loket|guichet (en ligne|électronique|electronique)|digita(al|le) loket|en ligne|online'
            || '|myminfin|itsme|partenaire|partner|point relais|relais|servicepunt|antenne partenaire)')

),

final as (

    select
        {{ surrogate_key(['counter_id', 'event_type', 'valid_from']) }} as event_id,
        counter_id,
        source_id,
        event_type,
        valid_from as event_at,
        cast(valid_from as date) as event_date,
        previous_last_observed_at as previous_observed_at,
        case when event_type = 'closed' then confirmed_at end as confirmed_at,
        case when event_type = 'closed' then confirming_capture_id end as confirming_capture_id,
        case when event_type = 'closed' then closure_basis end as closure_basis,
        case when event_type in (select event_type from {{ ref('event_types') }} where is_closure) then closure_reason end as closure_reason,
        previous_state as state_before,
        state as state_after,
        previous_counter_state_id as counter_state_id_before,
        counter_state_id as counter_state_id_after,
        previous_weekly_total_minutes as weekly_minutes_before,
        weekly_total_minutes as weekly_minutes_after,
        case when event_type in ('hours_reduced', 'hours_increased', 'became_appointment_only', 'walk_in_restored')
            then weekly_total_minutes - previous_weekly_total_minutes end as delta_minutes,
        case when event_type in ('hours_reduced', 'hours_increased') and previous_weekly_total_minutes > 0
            then round((weekly_total_minutes - previous_weekly_total_minutes)
                / previous_weekly_total_minutes, 4) end as delta_share,
        previous_weekly_walk_in_minutes as weekly_walk_in_minutes_before,
        weekly_walk_in_minutes as weekly_walk_in_minutes_after,
        previous_days_open as days_open_before,
        days_open as days_open_after,
        previous_last_capture_id as before_capture_id,
        first_capture_id as after_capture_id,
        case
            when event_type = 'became_appointment_only' then 'walk_in_to_appointment_only'
            when event_type = 'days_open_cut' then 'days_open_cut'
            when event_type = 'hours_reduced' and previous_weekly_total_minutes > 0
                and (previous_weekly_total_minutes - weekly_total_minutes)
                    >= {{ cut_share }} * previous_weekly_total_minutes then 'hours_cut'
            when event_type = 'replaced_by_partner_or_online' then 'replaced_by_partner_or_online'
        end as downgrade_type

    from events

)

select *, downgrade_type is not null as is_downgrade
from final
order by counter_id, event_at, event_type
