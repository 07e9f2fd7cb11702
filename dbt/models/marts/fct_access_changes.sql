-- Like-for-like changes of the access indicators per cell and comparison (definitions:
-- docs/indicators.md), built incrementally in int_access_changes; this view leaves out its
-- bookkeeping column.

{{ config(materialized='view') }}

select * exclude (built_through_batch)
from {{ ref('int_access_changes') }}
