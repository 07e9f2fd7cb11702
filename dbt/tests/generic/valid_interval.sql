{#- Every closed interval must be non-empty: lower < upper. An open interval (upper is null) is valid. -#}
{% test valid_interval(model, lower_column, upper_column) %}
select *
from {{ model }}
where {{ upper_column }} is not null
  and not ({{ lower_column }} < {{ upper_column }})
{% endtest %}
