{#- The value rules of dbt_project.yml on every column of the model they fit: the first rule of
    `column_ranges` whose `columns` pattern matches the whole column name gives its range (a missing
    bound is no bound); each pair of `column_orders` whose columns the model both has must be
    ordered (nulls are left to not_null). The release gate reads the same two tables
    (expectations/dbt_tests.py). One row per offending value, naming the column and the rule. -#}
{% test column_rules(model) %}
{%- set checks = [] -%}
{%- set names = [] -%}
{%- if execute -%}
    {%- for col in adapter.get_columns_in_relation(model) -%}
        {%- do names.append(col.name | lower) -%}
    {%- endfor -%}
{%- endif -%}
{%- for name in names -%}
    {%- set found = namespace(rule=none) -%}
    {%- for rule in var('column_ranges') -%}
        {%- if found.rule is none and modules.re.fullmatch(rule['columns'], name) -%}
            {%- set found.rule = rule -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if found.rule is not none -%}
        {%- set bounds = [] -%}
        {%- if found.rule.get('min') is not none -%}{%- do bounds.append(name ~ ' < ' ~ found.rule['min']) -%}{%- endif -%}
        {%- if found.rule.get('max') is not none -%}{%- do bounds.append(name ~ ' > ' ~ found.rule['max']) -%}{%- endif -%}
        {%- if bounds -%}{%- do checks.append((name, found.rule['meaning'], bounds | join(' or '))) -%}{%- endif -%}
    {%- endif -%}
{%- endfor -%}
{%- for order in var('column_orders') -%}
    {%- if order['lesser'] in names and order['greater'] in names -%}
        {%- set op = ' >= ' if order.get('strict') else ' > ' -%}
        {%- do checks.append((order['lesser'], 'at most ' ~ order['greater'], order['lesser'] ~ op ~ order['greater'])) -%}
    {%- endif -%}
{%- endfor -%}
{%- for column, rule, offends in checks %}
select '{{ column }}' as column_name, '{{ rule | replace("'", "''") }}' as rule, cast({{ column }} as varchar) as offending_value
from {{ model }}
where {{ offends }}
union all
{%- endfor %}
select null as column_name, null as rule, null as offending_value
where false
{% endtest %}
