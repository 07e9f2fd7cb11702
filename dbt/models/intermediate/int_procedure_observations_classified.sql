-- One row per (procedure catalogue, taxonomy procedure, successful capture): the status of each
-- of the seven channels on that capture, and what they mean together. Unmatched titles (no
-- taxonomy key) are not here: they are listed in fct_procedure_match_review. Failed captures are
-- not here either: unknown, never a change of channels.
--
-- A procedure listed twice on one page takes, per channel, `available` if either entry says so,
-- else `not_available` if either does, else `not_stated`.

with

captures as (

    select capture_id, source_id, observed_at
    from {{ ref('int_captures_classified') }}
    where is_successful

),

sources as (

    select source_id, administration_id from {{ ref('stg_registry__sources') }}

),

procedures as (

    select * from {{ ref('stg_collector__procedures') }}
    where procedure_key is not null

),

channels as (

    select * from {{ ref('stg_collector__procedure_channels') }}

),

-- per procedure and channel: available (2) > not_available (1) > not_stated (0)
ranked as (

    select
        procedures.source_id,
        procedures.procedure_key,
        procedures.capture_id,
        channels.channel,
        max(case channels.channel_status when 'available' then 2 when 'not_available' then 1 else 0 end) as rank,
        arg_max(channels.channel_evidence,
            case channels.channel_status when 'available' then 2 when 'not_available' then 1 else 0 end) as evidence

    from procedures
    inner join channels
        on channels.capture_id = procedures.capture_id
        and channels.procedure_seq = procedures.procedure_seq
    group by all

),

pivoted as (

    select
        source_id,
        procedure_key,
        capture_id,
        {%- for channel in ['online', 'online_digital_identity', 'counter_walk_in', 'counter_appointment', 'phone', 'post', 'intermediary'] %}
        coalesce(max(case when channel = '{{ channel }}' then
            case rank when 2 then 'available' when 1 then 'not_available' else 'not_stated' end end), 'not_stated')
            as {{ channel }}_status,
        max(case when channel = '{{ channel }}' then evidence end) as {{ channel }}_evidence{{ ',' if not loop.last }}
        {%- endfor %}

    from ranked
    group by source_id, procedure_key, capture_id

),

details as (

    select
        capture_id,
        procedure_key,
        string_agg(distinct procedure_title, ' | ' order by procedure_title) as procedure_title,
        min(fee_eur) as fee_eur,
        string_agg(distinct fee_text, ' | ' order by fee_text) as fee_text

    from procedures
    group by capture_id, procedure_key

),

classified as (

    select
        pivoted.*,
        captures.observed_at,
        sources.administration_id,
        details.procedure_title,
        details.fee_eur,
        details.fee_text,
        pivoted.counter_walk_in_status = 'available' or pivoted.counter_appointment_status = 'available'
            as has_counter,
        pivoted.phone_status = 'available' as has_phone,
        pivoted.post_status = 'available' as has_post,
        pivoted.online_status = 'available' or pivoted.online_digital_identity_status = 'available' as has_online

    from pivoted
    inner join captures on captures.capture_id = pivoted.capture_id
    inner join sources on sources.source_id = pivoted.source_id
    left join details
        on details.capture_id = pivoted.capture_id
        and details.procedure_key = pivoted.procedure_key

),

final as (

    select
        {{ surrogate_key(['source_id', 'procedure_key', 'capture_id']) }} as procedure_observation_id,
        {{ surrogate_key(['source_id', 'procedure_key']) }} as procedure_track_id,
        source_id,
        administration_id,
        procedure_key,
        capture_id,
        observed_at,
        procedure_title,
        fee_eur,
        fee_text,
        {%- for channel in ['online', 'online_digital_identity', 'counter_walk_in', 'counter_appointment', 'phone', 'post', 'intermediary'] %}
        {{ channel }}_status,
        {{ channel }}_evidence,
        {%- endfor %}
        has_counter,
        has_phone,
        has_post,
        has_online,
        -- indicator 10: no counter, telephone or post published, while an online way is
        has_online and not (has_counter or has_phone or has_post) as is_online_only,
        -- the only online way published needs itsme or an eID card reader
        online_digital_identity_status = 'available' and online_status <> 'available' as requires_digital_identity,
        -- nothing is said about counter, telephone or post: "channel not stated", kept apart
        counter_walk_in_status = 'not_stated' and counter_appointment_status = 'not_stated'
            and phone_status = 'not_stated' and post_status = 'not_stated' as non_digital_not_stated,
        -- indicator 11: physical reception, telephone and post all published
        has_counter and has_phone and has_post as has_three_channels,
        -- identical channel statuses give an identical signature (wording does not matter)
        'online=' || online_status || ';eid=' || online_digital_identity_status
            || ';walk_in=' || counter_walk_in_status || ';appointment=' || counter_appointment_status
            || ';phone=' || phone_status || ';post=' || post_status || ';intermediary=' || intermediary_status
            as channel_signature

    from classified

)

select * from final
order by procedure_track_id, observed_at, capture_id
