{#- Deterministic surrogate key: md5 of the columns cast to text, nulls spelled out, joined by '|'.
    Equivalent in spirit to dbt_utils.generate_surrogate_key (no packages can be installed here). -#}
{% macro surrogate_key(columns) -%}
    md5(
        {%- for column in columns %}
        coalesce(cast({{ column }} as varchar), '_null_'){% if not loop.last %} || '|' ||{% endif %}
        {%- endfor %}
    )
{%- endmacro %}
