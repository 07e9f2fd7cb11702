-- The opening of every counter on each date of the next `calendar_weeks` weeks from the data
-- horizon (the Monday of the last successful capture's week): the walk-in and appointment hours that date, or why it
-- is closed. Read from the counter's current state and the schedule of its last capture:
-- legal holiday > counter closed > one-day notice > dated or monthly regime > the normal week.
-- A counter without a readable current schedule is `unknown` that day, never closed.

{%- set weeks = var('calendar_weeks') %}

with

horizon as (

    -- the Monday of the last successful capture's week, so that its whole week is covered
    select date_trunc('week', max(observed_at))::date as horizon_date
    from {{ ref('stg_collector__captures') }}
    where parse_status = 'ok'

),

dates as (

    select
        horizon.horizon_date + cast(offsets.i as integer) as calendar_date
    from horizon
    cross join range(0, {{ weeks * 7 }}) as offsets(i)

),

counters as (

    select counter_id from {{ ref('stg_registry__counters') }}

),

current_states as (

    select counter_id, state, closure_reason, last_capture_id, last_observed_at
    from {{ ref('fct_counter_history') }}
    where is_current

),

schedules as (

    select
        current_states.counter_id,
        schedules.capture_id,
        schedules.schedule_seq,
        coalesce(schedules.is_appointment_only, false) as is_appointment_only,
        schedules.regimes_json,
        schedules.exceptions_json

    from current_states
    inner join {{ ref('stg_collector__schedules') }} as schedules
        on schedules.capture_id = current_states.last_capture_id
        and schedules.counter_id = current_states.counter_id
        and schedules.channel = 'counter'
    where current_states.state in (select state from {{ ref('counter_states') }} where is_active)

),

-- one row per date: two holidays can fall on one day (Ascension on 1 May in 2008)
holidays as (

    select
        holiday_date,
        string_agg(holiday_key, ' ' order by is_legal_holiday desc, holiday_key) as holiday_key,
        bool_or(is_legal_holiday) as is_legal_holiday,
        string_agg(holiday_name_fr, ' / ' order by is_legal_holiday desc, holiday_key) as holiday_name_fr,
        string_agg(holiday_name_nl, ' / ' order by is_legal_holiday desc, holiday_key) as holiday_name_nl,
        string_agg(holiday_name_de, ' / ' order by is_legal_holiday desc, holiday_key) as holiday_name_de,
        string_agg(holiday_name_en, ' / ' order by is_legal_holiday desc, holiday_key) as holiday_name_en

    from {{ ref('stg_registry__public_holidays') }}
    group by holiday_date

),

-- every rule of a schedule that is not the normal week, one row each, with its JSON fields read
rules as (

    select
        schedules.counter_id,
        schedules.is_appointment_only,
        rule_kind_group,
        rule ->> 'kind' as rule_kind,
        coalesce(try_cast(rule -> 'months' as integer[]), []) as months,
        coalesce(try_cast(rule -> 'nth' as integer[]), []) as nth,
        rule ->> 'date_from' as date_from,
        rule ->> 'date_to' as date_to,
        coalesce(try_cast(rule ->> 'closed' as boolean), false) as is_closed_rule,
        rule -> 'slots' as slots_json

    from schedules
    cross join lateral (
        select 'regime' as rule_kind_group, unnest(cast(schedules.regimes_json as json[])) as rule
        union all
        select 'exception' as rule_kind_group, unnest(cast(schedules.exceptions_json as json[])) as rule
    )

),

-- a rule applies on a date when its months, dates or weeks of the month say so; a rule that
-- names no date ("pendant les vacances scolaires") is placed on no date
rule_dates as (

    select
        dates.calendar_date,
        rules.*,
        case
            when rule_kind_group = 'exception' and rule_kind = 'date' then 1
            when rule_kind_group = 'regime' then 2
            else 3
        end as rule_rank

    from rules
    cross join dates
    where rules.rule_kind not in ('public_holidays', 'school_holidays')
        and (
            -- a dated rule: ISO dates, or '--MM-DD' read in the date's own year
            (
                rules.date_from is not null
                and dates.calendar_date >= coalesce(
                    try_cast(rules.date_from as date),
                    try_cast(year(dates.calendar_date) || substr(rules.date_from, 2) as date)
                )
                and dates.calendar_date <= coalesce(
                    try_cast(rules.date_to as date),
                    try_cast(year(dates.calendar_date) || substr(rules.date_to, 2) as date),
                    try_cast(rules.date_from as date),
                    try_cast(year(dates.calendar_date) || substr(rules.date_from, 2) as date)
                )
            )
            or (rules.date_from is null and len(rules.months) > 0 and len(rules.nth) = 0
                and list_contains(rules.months, month(dates.calendar_date)))
            -- a monthly rule: the nth (or last, -1) weekday of the month among its slots' days; a
            -- monthly closure names no weekday the model keeps, so it is placed on no date
            or (rules.date_from is null and len(rules.nth) > 0 and not rules.is_closed_rule
                and list_contains(
                    cast(json_extract_string(rules.slots_json, '$[*].day') as varchar[]),
                    ['mo', 'tu', 'we', 'th', 'fr', 'sa', 'su'][isodow(dates.calendar_date)]
                )
                and (list_contains(rules.nth, (day(dates.calendar_date) - 1) // 7 + 1)
                    or (list_contains(rules.nth, -1) and month(dates.calendar_date + 7) != month(dates.calendar_date))))
        )

),

-- the rule that decides each date: one-day notices first, then regimes, then monthly rules
deciding_rules as (

    select * from rule_dates
    qualify row_number() over (
        partition by counter_id, calendar_date order by rule_rank, rule_kind, date_from nulls last
    ) = 1

),

rule_slots as (

    select
        deciding_rules.counter_id,
        deciding_rules.calendar_date,
        slot ->> 'day' as day_code,
        slot ->> 'opens' as opens,
        slot ->> 'closes' as closes,
        case when deciding_rules.is_appointment_only then 'appointment' else slot ->> 'access' end as access

    from deciding_rules
    cross join lateral (select unnest(cast(deciding_rules.slots_json as json[])) as slot)
    where not deciding_rules.is_closed_rule

),

normal_slots as (

    select distinct
        schedules.counter_id,
        slots.day_code,
        slots.opens,
        slots.closes,
        case when schedules.is_appointment_only then 'appointment' else slots.access end as access

    from schedules
    inner join {{ ref('stg_collector__schedule_slots') }} as slots
        on slots.capture_id = schedules.capture_id
        and slots.schedule_seq = schedules.schedule_seq

),

counter_dates as (

    select
        counters.counter_id,
        dates.calendar_date,
        ['mo', 'tu', 'we', 'th', 'fr', 'sa', 'su'][isodow(dates.calendar_date)] as day_code
    from counters
    cross join dates

),

day_slots as (

    -- a monthly rule adds to the normal week; a dated rule or a regime replaces it
    select counter_dates.counter_id, counter_dates.calendar_date, slots.opens, slots.closes, slots.access
    from counter_dates
    left join deciding_rules
        on deciding_rules.counter_id = counter_dates.counter_id
        and deciding_rules.calendar_date = counter_dates.calendar_date
    inner join normal_slots as slots
        on slots.counter_id = counter_dates.counter_id
        and slots.day_code = counter_dates.day_code
    where deciding_rules.counter_id is null or deciding_rules.rule_rank = 3

    union

    select rule_slots.counter_id, rule_slots.calendar_date, rule_slots.opens, rule_slots.closes, rule_slots.access
    from rule_slots
    inner join counter_dates
        on counter_dates.counter_id = rule_slots.counter_id
        and counter_dates.calendar_date = rule_slots.calendar_date
        and counter_dates.day_code = rule_slots.day_code

),

day_hours as (

    select
        counter_id,
        calendar_date,
        string_agg(opens || '-' || closes, ', ' order by opens) filter (where access = 'walk_in') as walk_in_hours,
        string_agg(opens || '-' || closes, ', ' order by opens) filter (where access = 'appointment')
            as appointment_hours,
        cast(coalesce(sum({{ hhmm_to_minute('closes') }} - {{ hhmm_to_minute('opens') }})
            filter (where access = 'walk_in'), 0) as integer) as walk_in_minutes,
        cast(coalesce(sum({{ hhmm_to_minute('closes') }} - {{ hhmm_to_minute('opens') }})
            filter (where access = 'appointment'), 0) as integer) as appointment_minutes

    from day_slots
    group by counter_id, calendar_date

),

final as (

    select
        {{ surrogate_key(['counter_dates.counter_id', 'counter_dates.calendar_date']) }} as counter_calendar_id,
        counter_dates.counter_id,
        counter_dates.calendar_date,
        cast(isodow(counter_dates.calendar_date) as integer) as iso_weekday,
        case
            when current_states.state is null
                or current_states.state not in (select state from {{ ref('counter_states') }} where is_active or is_closed)
                then 'unknown'
            when holidays.is_legal_holiday then 'closed'
            when current_states.state in (select state from {{ ref('counter_states') }} where is_closed) then 'closed'
            when schedules_present.counter_id is null then 'unknown'
            when deciding_rules.is_closed_rule and deciding_rules.rule_rank < 3 then 'closed'
            when day_hours.walk_in_minutes > 0 or day_hours.appointment_minutes > 0 then 'open'
            else 'closed'
        end as day_status,
        case
            when current_states.state is null
                or current_states.state not in (select state from {{ ref('counter_states') }} where is_active or is_closed)
                then null
            when holidays.is_legal_holiday then 'public_holiday'
            when current_states.state in (select state from {{ ref('counter_states') }} where is_closed)
                then 'counter_closed'
            when schedules_present.counter_id is null then null
            when deciding_rules.is_closed_rule and deciding_rules.rule_rank = 1 then 'exception'
            when deciding_rules.is_closed_rule and deciding_rules.rule_rank = 2 then 'regime'
            when day_hours.walk_in_minutes > 0 or day_hours.appointment_minutes > 0 then null
            else 'no_hours_that_day'
        end as closure_kind,
        case
            when holidays.is_legal_holiday then holidays.holiday_name_fr
            when current_states.state in (select state from {{ ref('counter_states') }} where is_closed)
                then current_states.closure_reason
            when deciding_rules.is_closed_rule and deciding_rules.rule_rank < 3
                then deciding_rules.rule_group_kind
        end as closure_reason,
        holidays.holiday_key,
        holidays.is_legal_holiday,
        holidays.holiday_name_fr,
        holidays.holiday_name_nl,
        holidays.holiday_name_de,
        holidays.holiday_name_en,
        case when holidays.is_legal_holiday or current_states.state not in (select state from {{ ref('counter_states') }} where is_active) then null
            else day_hours.walk_in_hours end as walk_in_hours,
        case when holidays.is_legal_holiday or current_states.state not in (select state from {{ ref('counter_states') }} where is_active) then null
            else day_hours.appointment_hours end as appointment_hours,
        case when holidays.is_legal_holiday or current_states.state not in (select state from {{ ref('counter_states') }} where is_active)
                or schedules_present.counter_id is null then null
            else coalesce(day_hours.walk_in_minutes, 0) end as walk_in_minutes,
        case when holidays.is_legal_holiday or current_states.state not in (select state from {{ ref('counter_states') }} where is_active)
                or schedules_present.counter_id is null then null
            else coalesce(day_hours.appointment_minutes, 0) end as appointment_minutes,
        case
            when deciding_rules.counter_id is null then 'normal_week'
            else deciding_rules.rule_group_kind
        end as hours_basis,
        current_states.state as counter_state,
        current_states.last_capture_id as basis_capture_id,
        current_states.last_observed_at

    from counter_dates
    left join current_states on current_states.counter_id = counter_dates.counter_id
    left join (select distinct counter_id from schedules) as schedules_present
        on schedules_present.counter_id = counter_dates.counter_id
    left join (
        select *, rule_kind_group || ':' || rule_kind as rule_group_kind from deciding_rules
    ) as deciding_rules
        on deciding_rules.counter_id = counter_dates.counter_id
        and deciding_rules.calendar_date = counter_dates.calendar_date
    left join day_hours
        on day_hours.counter_id = counter_dates.counter_id
        and day_hours.calendar_date = counter_dates.calendar_date
    left join holidays
        on holidays.holiday_date = counter_dates.calendar_date

)

-- Not sorted here (0.9 s of every build at national scale): the release writes it sorted by its
-- key, and guichets find reads the release.
select * from final
