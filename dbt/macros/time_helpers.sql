{#- 'HH:MM' local wall-clock text -> minute of the day (0..1440); null when malformed. -#}
{% macro hhmm_to_minute(column) -%}
    (try_cast(split_part({{ column }}, ':', 1) as integer) * 60
        + try_cast(split_part({{ column }}, ':', 2) as integer))
{%- endmacro %}

{#- Two-letter ISO day code ('mo'..'su') -> ISO day number (1..7); null when unknown. -#}
{% macro day_number(column) -%}
    case {{ column }}
        when 'mo' then 1 when 'tu' then 2 when 'we' then 3 when 'th' then 4
        when 'fr' then 5 when 'sa' then 6 when 'su' then 7
    end
{%- endmacro %}

{#- Indicator 7 for one slot: it ends after 17:30 on a weekday, or it is on a Saturday. -#}
{% macro is_out_of_hours(day_code, closes_minute) -%}
    (({{ day_number(day_code) }} <= 5 and {{ closes_minute }} > 17 * 60 + 30) or {{ day_code }} = 'sa')
{%- endmacro %}
