-- The channel state of every tracked (catalogue, procedure) at each month's end, from its first
-- observation to the data's last capture month (never the wall clock).

with

history as (

    select * from {{ ref('int_procedure_states_collapsed') }}

),

data_horizon as (

    select cast(date_trunc('month', max(observed_at)) as date) as last_month
    from {{ ref('stg_collector__captures') }}

),

track_months as (

    select
        tracks.procedure_track_id,
        cast(month_start as date) as month_start

    from (
        select procedure_track_id, cast(date_trunc('month', min(valid_from)) as date) as first_month
        from history group by procedure_track_id
    ) as tracks
    cross join data_horizon
    cross join unnest(generate_series(
        cast(tracks.first_month as timestamp), cast(data_horizon.last_month as timestamp), interval 1 month
    )) as months(month_start)

),

final as (

    select
        {{ surrogate_key(['track_months.procedure_track_id', 'track_months.month_start']) }} as procedure_month_id,
        track_months.procedure_track_id,
        history.source_id,
        history.administration_id,
        history.procedure_key,
        track_months.month_start,
        cast(track_months.month_start + interval 1 month - interval 1 day as date) as month_end,
        history.procedure_state_id,
        history.is_online_only,
        history.requires_digital_identity,
        history.non_digital_not_stated,
        history.has_counter,
        history.has_phone,
        history.has_post,
        history.three_channel_status,
        history.valid_from as state_since

    from track_months
    inner join history
        on history.procedure_track_id = track_months.procedure_track_id
        and history.valid_from < track_months.month_start + interval 1 month
        and (history.valid_to is null or history.valid_to >= track_months.month_start + interval 1 month)

)

select * from final
order by procedure_track_id, month_start
