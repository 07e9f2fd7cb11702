{#
  The public web archive's replay URL of a capture, or null when it was not replayed from one:
  Wayback's template, the page URL percent-encoded (UTF-8) except for URL characters (RFC 3986
  reserved and unreserved, and '%'). Published as captures.replay_url; the report links to it.
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
