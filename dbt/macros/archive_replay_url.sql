{#
  The public web archive's replay URL of a capture, or null when it was not replayed from one.
  The same URL as warehouse.report.evidence.archive_replay_url (checked on every published row by
  tests/integration/test_release.py): Wayback's template, the page URL percent-encoded (UTF-8) except for the
  characters Python's quote() keeps with the report's safe set.
#}
{% macro archive_replay_url(origin, archive, page_url, observed_at) -%}
    case
        when {{ origin }} = 'web_archive' and {{ archive }} = 'wayback'
            and regexp_matches({{ page_url }}, '^https?://[^/?#:@]')
        then 'https://web.archive.org/web/' || strftime({{ observed_at }}, '%Y%m%d%H%M%S') || '/'
            || array_to_string(
                list_transform(
                    string_split({{ page_url }}, ''),
                    lambda ch: case
                        when regexp_matches(ch, '^[A-Za-z0-9_.~:/?#\[\]@!$&''()*+,;=%-]$') then ch
                        else url_encode(ch)
                    end
                ),
                ''
            )
    end
{%- endmacro %}
