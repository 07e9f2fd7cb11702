{#- Each entity has exactly one row flagged current (SCD2). -#}
{% test exactly_one_current_row(model, partition_by, current_flag_column) %}
select
    {{ partition_by }},
    count(*) filter (where {{ current_flag_column }}) as current_rows
from {{ model }}
group by {{ partition_by }}
having count(*) filter (where {{ current_flag_column }}) <> 1
{% endtest %}
