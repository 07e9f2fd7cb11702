-- One row per Belgian commune code and validity period (NIS / REFNIS), with its population and
-- the registered counters located in it. Built on the seed `belgian_municipalities` (Statbel;
-- see its description for sources and the population date).

with

municipalities as (

    select * from {{ ref('belgian_municipalities') }}

),

counters as (

    select counter_id, nis_code from {{ ref('stg_registry__counters') }}
    where nis_code is not null

),

counter_counts as (

    select nis_code, count(*) as registered_counter_count
    from counters
    group by nis_code

),

final as (

    select
        municipalities.nis_code,
        municipalities.valid_from,
        municipalities.valid_to,
        municipalities.valid_to is null as is_current,
        municipalities.name_fr,
        municipalities.name_nl,
        municipalities.name_de,
        municipalities.arrondissement_fr,
        municipalities.arrondissement_nl,
        municipalities.province_fr,
        municipalities.province_nl,
        municipalities.region,
        municipalities.is_german_speaking,
        municipalities.population,
        municipalities.population_date,
        cast(extract(year from municipalities.population_date) as integer) as population_year,
        coalesce(counter_counts.registered_counter_count, 0) as registered_counter_count

    from municipalities
    left join counter_counts on counter_counts.nis_code = municipalities.nis_code

)

select * from final
order by nis_code, valid_from
