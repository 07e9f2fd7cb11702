{#- An order-independent fingerprint of a set of published slots (one aggregate per group): the
    sum of a hash of each slot. Equal sets of slots give equal values whatever their order, which
    is all a state key needs; a readable list of the hours is built only for history rows
    (fct_counter_history.published_hours). Repeated slots must be removed first (the callers do). -#}
{% macro hours_fingerprint(day, opens, closes, access) -%}
    cast(sum(hash({{ day }}, {{ opens }}, {{ closes }}, {{ access }})) as varchar)
{%- endmacro %}
