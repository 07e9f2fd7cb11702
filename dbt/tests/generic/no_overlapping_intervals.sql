{#- Intervals [lower, upper) of one entity must not overlap, only the last one may be open
    (upper null), and no two may start together. With contiguous=true, each interval must also
    end exactly where the next one starts (no gaps: an SCD2 history). -#}
{% test no_overlapping_intervals(model, partition_by, lower_column, upper_column, contiguous=false) %}
with ordered as (
    select
        {{ partition_by }} as entity_key,
        {{ lower_column }} as lower_bound,
        {{ upper_column }} as upper_bound,
        lead({{ lower_column }}) over (
            partition by {{ partition_by }} order by {{ lower_column }}
        ) as next_lower_bound,
        count(*) over (partition by {{ partition_by }}, {{ lower_column }}) as same_start_count
    from {{ model }}
)

select *
from ordered
where same_start_count > 1
   or (next_lower_bound is not null and (upper_bound is null or upper_bound > next_lower_bound))
   {%- if contiguous %}
   or (next_lower_bound is not null and upper_bound <> next_lower_bound)
   or (next_lower_bound is null and upper_bound is not null)
   {%- endif %}
{% endtest %}
