-- One row per procedure of the taxonomy (scrapers/procedures/taxonomy.yaml), with how many
-- catalogues track it.

with

taxonomy as (

    select * from {{ ref('stg_registry__procedures') }}

),

tracks as (

    select procedure_key, count(distinct procedure_track_id) as tracked_catalogue_count
    from {{ ref('int_procedure_states_collapsed') }}
    group by procedure_key

),

final as (

    select
        taxonomy.procedure_key,
        taxonomy.procedure_label_fr,
        taxonomy.procedure_label_nl,
        taxonomy.procedure_label_de,
        taxonomy.procedure_label_en,
        coalesce(tracks.tracked_catalogue_count, 0) as tracked_catalogue_count

    from taxonomy
    left join tracks on tracks.procedure_key = taxonomy.procedure_key

)

select * from final
order by procedure_key
